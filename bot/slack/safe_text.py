"""Text that someone typed, or that was recorded, made safe to post back to Slack.

Recorded and typed text is Slack markup, with ``&``, ``<`` and ``>`` arriving as ``&amp;``,
``&lt;`` and ``&gt;``. Posted back as it is, it would ping a crowd (``<!here>``,
``<!channel>``, ``<!everyone>``, ``<!subteam^S1|@oncall>``), notify whoever it names, or show
a link under another address. Read once here, it is written back so that it reads the same
and notifies nobody:

- special mentions and user groups become inert text ("@here", "@oncall", with an invisible
  word joiner after the "@" so that no parser, Slack's own included, links them again); so do
  ``@here``, ``@channel`` and ``@everyone`` typed as plain words;
- a user mention becomes "@Name": the people cache's name, else Slack's label, else the id;
- a link whose label is not its target shows both, ``label (<target>)``; a link labelled with
  its own target (``<http://example.com|example.com>``) stays as it is;
- a date becomes its fallback text; a channel link stays a channel link;
- ``&``, ``<`` and ``>`` are escaped exactly once (unescaped, then escaped).

One reading, two renderings: :func:`safe_mrkdwn` for mrkdwn (message text, sections, context)
and :func:`safe_plain_text` for plain_text fields (headers, modal titles, file titles), which
Slack shows without any markup, so nothing there is escaped. ``safe_mrkdwn`` is idempotent;
``safe_plain_text`` gives the same for a text and for its ``safe_mrkdwn`` form. The people an
app means to notify (an action item's owner) are written as ``<@U…>`` by the app itself,
outside this text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.mentions import USER_MENTION, named
from bot.core.web_address import is_plain, web_address

INERT_AT = "@\u2060"
"""An "@" followed by a word joiner: it reads as "@", and "@here" written with it pings nobody."""

SPECIAL_MENTIONS = {"here": "here", "channel": "channel", "everyone": "everyone", "group": "channel"}
"""Slack's special mentions (``<!group>`` is the old spelling of ``<!channel>``)."""

_MARKUP = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_UNESCAPED = {"amp": "&", "lt": "<", "gt": ">"}
_BARE_SPECIAL = re.compile(r"(?<![\w@.])@(here|channel|everyone)(?!\w)", re.IGNORECASE)
_MARKUP_START = re.compile(r"<(?=[!@])")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:(?://)?")

Names = Mapping[str, str]


@dataclass(frozen=True)
class _Link:
    target: str
    label: str | None
    """None, or a label that names the target itself."""


@dataclass(frozen=True)
class _Channel:
    channel_id: str
    label: str | None


@dataclass(frozen=True)
class _Person:
    user_id: str
    shown: str
    """How plain text shows them ("@Ada")."""


_Piece = str | _Link | _Channel | _Person
"""Plain text (unescaped), a link, a channel link, or a person kept as a mention."""


def safe_mrkdwn(text: str | None, *, names: Names | None = None, people: bool = False) -> str:
    """``text`` as mrkdwn that notifies nobody and shows every link's real target.

    ``names`` (user id → name, from the people cache) turn ``<@U1>`` into "@Ada". With
    ``people``, a well-formed user mention stays a mention: for a private answer the app wrote
    that names people on purpose ("you named <@U2> and <@U3>"), quoting what was typed."""
    return "".join(_mrkdwn(piece) for piece in _read(text or "", names or {}, people=people))


def safe_plain_text(text: str | None, *, names: Names | None = None) -> str:
    """``text`` for a plain_text field: the same reading as :func:`safe_mrkdwn`, shown as the
    words a person sees (links as their targets), with nothing escaped."""
    return "".join(_plain(piece) for piece in _read(text or "", names or {}))


def _read(text: str, names: Names, *, people: bool = False) -> list[_Piece]:
    """The markup of ``text`` as pieces; adjacent plain text merged, so that a special mention
    spelled across two pieces is still found."""
    pieces: list[_Piece] = []
    at = 0
    for match in _MARKUP.finditer(text):
        pieces.append(_unescape(text[at : match.start()]))
        pieces += _markup(match.group(0), match.group(1), names, people=people)
        at = match.end()
    pieces.append(_unescape(text[at:]))
    merged: list[_Piece] = []
    for piece in pieces:
        if isinstance(piece, str) and merged and isinstance(merged[-1], str):
            merged[-1] += piece
        elif piece != "":
            merged.append(piece)
    return merged


def _markup(whole: str, inner: str, names: Names, *, people: bool = False) -> list[_Piece]:
    body, bar, raw_label = inner.partition("|")
    label = _unescape(raw_label) if bar else None
    user = USER_MENTION.fullmatch(whole)
    if user is not None:
        shown = named(user.group(1), _unescape(user.group(2) or "") or None, names)
        return [_Person(user.group(1), shown) if people else shown]
    if body.startswith("@"):  # not a well-formed user id, but still never a live mention
        return ["@" + (label or _unescape(body[1:]))]
    if body.startswith("#"):
        channel = _unescape(body[1:])
        if not _CHANNEL_ID.fullmatch(channel):  # not a channel id: never a link, only its words
            return ["#" + (label or channel)]
        return [_Channel(channel, label or None)]
    if body.startswith("!"):
        return [_special(_unescape(body[1:]), label)]
    if _SCHEME.match(body) and not any(char.isspace() for char in body):
        target = _unescape(body)
        if not _kept_as_link(target):  # another scheme, or an address hiding where it goes: words
            return [f"{label} ({target})" if label and label != target else target]
        if not label or _names_itself(label, target):
            return [_Link(target, label or None)]
        return [f"{label} (", _Link(target, None), ")"]
    return [_unescape(whole)]  # "<" and ">" that are not Slack markup: plain text


def _kept_as_link(target: str) -> bool:
    """A recorded link stays a link when it is a plain web address or an e-mail address."""
    if target.lower().startswith("mailto:"):
        return is_plain(target)
    return web_address(target) is not None


def _special(command: str, label: str | None) -> str:
    """``<!here>``, ``<!subteam^S1|@oncall>``, ``<!date^…|fallback>``… as plain words."""
    name, _, rest = command.partition("^")
    if name.lower() in SPECIAL_MENTIONS:
        return INERT_AT + SPECIAL_MENTIONS[name.lower()]
    if name == "subteam":
        return INERT_AT + ((label or "").lstrip("@") or rest or "group")
    if name == "date":
        return label or ""
    return label or name


def _names_itself(label: str, target: str) -> bool:
    """Whether ``label`` is the target, or the target without its scheme (``example.com``
    for ``http://example.com``, ``ada@example.com`` for ``mailto:ada@example.com``)."""
    bare = _SCHEME.sub("", target, count=1)
    return label in (target, bare) or label.rstrip("/") in (target.rstrip("/"), bare.rstrip("/"))


def _mrkdwn(piece: _Piece) -> str:
    if isinstance(piece, _Person):
        return f"<@{piece.user_id}>"
    if isinstance(piece, _Link):
        target = _escape(piece.target)
        return f"<{target}|{_escape(_defuse(piece.label))}>" if piece.label else f"<{target}>"
    if isinstance(piece, _Channel):
        channel = _escape(piece.channel_id)
        return f"<#{channel}|{_escape(_defuse(piece.label))}>" if piece.label else f"<#{channel}>"
    return _escape(_defuse(piece))


def _plain(piece: _Piece) -> str:
    if isinstance(piece, _Person):
        return _defuse(piece.shown)
    if isinstance(piece, _Link):
        return _defuse(piece.label or piece.target)
    if isinstance(piece, _Channel):
        return "#" + _defuse(piece.label or piece.channel_id)
    # "<!here>" typed as text reads as itself; a word joiner keeps it text wherever it lands.
    return _MARKUP_START.sub("<\u2060", _defuse(piece))


def _defuse(text: str) -> str:
    """``@here``, ``@channel`` and ``@everyone`` typed as words, made inert."""
    return _BARE_SPECIAL.sub(lambda m: INERT_AT + m.group(1), text)


def _unescape(text: str) -> str:
    """Slack's three entities read back, in one pass: ``&amp;lt;`` is the text "&lt;"."""
    return _ENTITY.sub(lambda m: _UNESCAPED[m.group(1)], text)


def link_target(url: str | None) -> str | None:
    """``url`` as the target of a link the bot writes, escaped; None when it is not a plain
    absolute http(s) address (:func:`bot.core.web_address.web_address`): another scheme, no host,
    whitespace, ``|`` (which would relabel the link), control, zero-width or bidirectional
    characters (which would hide where it goes)."""
    address = web_address(url)
    return None if address is None else _escape(address)


def safe_link(url: str | None, text: str | None = None) -> str:
    """The one way the bot writes a link in mrkdwn: ``<url|text>``.

    ``url`` must be a plain http(s) address (:func:`link_target`); otherwise the link is left out
    and only ``text`` is written. ``text`` is data, read as :func:`safe_plain_text` reads it (a
    label holds no markup) and escaped, with ``|`` and line breaks, which would end or break the
    label, written as a look-alike bar and spaces; without it the link shows its address."""
    target = link_target(url)
    label = _escape(" ".join(safe_plain_text(text).replace("|", "\u2223").split())) if text else ""
    if target is None:
        return label
    return f"<{target}|{label}>" if label else f"<{target}>"


_USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{1,30}")


def user_mention(user_id: str | None) -> str:
    """``<@U…>``: the mention the app writes to name a person on purpose (an item's owner, who
    did something). Only a well-formed user id is written as a mention; anything else that came
    as an id is written as inert text, so that no id can carry markup of its own."""
    if user_id and _USER_ID.fullmatch(user_id):
        return f"<@{user_id}>"
    return "@" + safe_mrkdwn(" ".join(safe_plain_text(user_id or "someone").replace("|", "\u2223").split()))


def channel_mention(channel_id: str | None) -> str:
    """``<#C…>`` for a well-formed channel id; anything else as inert text (see :func:`user_mention`)."""
    if channel_id and _CHANNEL_ID.fullmatch(channel_id):
        return f"<#{channel_id}>"
    return "#" + safe_mrkdwn(" ".join(safe_plain_text(channel_id or "channel").replace("|", "\u2223").split()))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
