"""The fixed-size key of a text of any length.

Outside data (alert ids, group keys, labels, typed route matches) can be longer than any limit
we could pick, and PostgreSQL refuses an index entry over about 2.7 kB. A column that must be
unique or looked up is therefore kept whole as unbounded text and found by its digest, which
has the same length whatever the text.
"""

from __future__ import annotations

import hashlib

DIGEST_CHARS = 64


def sha256_hex(value: str) -> str:
    """64 lower-case hex digits of the SHA-256 of ``value`` in UTF-8 (a lone surrogate, which
    JSON may carry, is encoded as is rather than refused)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
