"""outside text unbounded: whole values kept as text, unique keys and lookups by SHA-256

Revision ID: 0014_unbounded_outside_text
Revises: 0013_ui_channel_access
Create Date: 2026-12-08 01:40:00

PostgreSQL refused a row whose alert group key, fingerprint or label was longer than its
VARCHAR, and the sender retried the delivery until it gave up. Every column that holds what a
sender or Slack chose becomes TEXT; where such a value is unique or looked up, a digest column
(64 hex digits of its UTF-8 SHA-256) carries the constraint or index instead, since PostgreSQL
also refuses an index entry over about 2.7 kB. Existing rows get their digests here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "0014_unbounded_outside_text"
down_revision: str | Sequence[str] | None = "0013_ui_channel_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIGEST = sa.String(length=64)

BOUNDED_BEFORE: dict[str, dict[str, int]] = {
    "alert_events": {"external_id": 512, "group_value": 512, "service": 300, "by": 300},
    "alert_event_keys": {"value": 512},
    "alert_links": {"value": 512, "label": 500},
    "alert_routes": {"match_text": 1000},
    "alert_declarations": {"group_value": 512},
    "workspaces": {"name": 200, "url": 300},
    "incidents": {"title": 300},
    "messages": {"bot_name": 200, "subtype": 40},
    "slack_users": {"name": 200, "tz": 64},
}
"""Each column made unbounded, with the length it had before (what a downgrade gives back)."""

DIGESTS: dict[str, tuple[tuple[str, str], ...]] = {
    "alert_events": (("external_id", "external_id_sha256"), ("group_value", "group_sha256")),
    "alert_event_keys": (("value", "value_sha256"),),
    "alert_links": (("value", "value_sha256"),),
    "alert_routes": (("match_text", "match_text_sha256"),),
    "alert_declarations": (("group_value", "group_sha256"),),
}
"""Each digest column, after the column it is the digest of."""


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


@contextmanager
def _rebuilding_referenced_tables() -> Iterator[None]:
    """SQLite changes a column's type by rebuilding the table, and with foreign keys on the DROP
    of the original deletes, by ON DELETE CASCADE, every row that refers to it (incidents,
    alert events and routes are referred to). So, as in 0008: foreign keys off (outside a
    transaction), rebuild, check the keys, commit, foreign keys back on. PostgreSQL alters in place."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    bind.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rebuilding tables broke {len(broken)} foreign keys; nothing was changed")
    except BaseException:
        bind.rollback()
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")
        raise
    bind.commit()
    bind.exec_driver_sql("PRAGMA foreign_keys=ON")


def _fill_digests(table: str, pairs: tuple[tuple[str, str], ...], key: Sequence[str]) -> None:
    """Write each row's digests, row by row (``key`` finds the row)."""
    bind = op.get_bind()
    sources = [source for source, _ in pairs]
    rows = bind.execute(sa.text(f"SELECT {', '.join([*key, *sources])} FROM {table}")).mappings().all()
    if not rows:
        return
    assignments = ", ".join(f"{digest} = :{digest}" for _, digest in pairs)
    where = " AND ".join(f"{column} = :k_{column}" for column in key)
    bind.execute(
        sa.text(f"UPDATE {table} SET {assignments} WHERE {where}"),
        [
            {
                **{digest: _sha256(row[source]) for source, digest in pairs},
                **{f"k_{column}": row[column] for column in key},
            }
            for row in rows
        ],
    )


def upgrade() -> None:
    for table, pairs in DIGESTS.items():
        for _, digest in pairs:
            op.add_column(table, sa.Column(digest, DIGEST, nullable=True))
    for table, pairs in DIGESTS.items():
        _fill_digests(table, pairs, ("event_id", "kind", "value") if table == "alert_event_keys" else ("id",))

    op.drop_index("ix_alert_events_team_id_group", table_name="alert_events")
    op.drop_index("ix_alert_event_keys_lookup", table_name="alert_event_keys")
    op.drop_index("ix_alert_links_team_id_key", table_name="alert_links")
    with _rebuilding_referenced_tables():
        for table, columns in BOUNDED_BEFORE.items():
            with op.batch_alter_table(table) as batch:
                for column, length in columns.items():
                    batch.alter_column(column, existing_type=sa.String(length=length), type_=sa.Text())
                for _, digest in DIGESTS.get(table, ()):
                    batch.alter_column(digest, existing_type=DIGEST, nullable=False)
                if table == "alert_events":
                    batch.drop_constraint("uq_alert_events_team_id_source_external_id", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_events_team_id_source_external_id_sha256", ["team_id", "source", "external_id_sha256"]
                    )
                elif table == "alert_event_keys":
                    batch.drop_constraint("pk_alert_event_keys", type_="primary")
                    batch.create_primary_key("pk_alert_event_keys", ["event_id", "kind", "value_sha256"])
                elif table == "alert_links":
                    batch.drop_constraint("uq_alert_links_incident_id_source_kind_value", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_links_incident_id_source_kind_value_sha256",
                        ["incident_id", "source", "kind", "value_sha256"],
                    )
                elif table == "alert_routes":
                    batch.drop_constraint("uq_alert_routes_team_id_source_match_text", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_routes_team_id_source_match_text_sha256", ["team_id", "source", "match_text_sha256"]
                    )
                elif table == "alert_declarations":
                    batch.drop_constraint("uq_alert_declarations_team_id_source_group_kind_group_value", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_declarations_team_id_source_group_kind_group_sha256",
                        ["team_id", "source", "group_kind", "group_sha256"],
                    )
    op.create_index(
        "ix_alert_events_team_id_group", "alert_events", ["team_id", "source", "group_kind", "group_sha256"]
    )
    op.create_index("ix_alert_event_keys_lookup", "alert_event_keys", ["team_id", "source", "kind", "value_sha256"])
    op.create_index("ix_alert_links_team_id_key", "alert_links", ["team_id", "source", "kind", "value_sha256"])


def downgrade() -> None:
    bind = op.get_bind()
    for table, columns in BOUNDED_BEFORE.items():
        for column, length in columns.items():
            longest = bind.execute(sa.text(f"SELECT MAX(LENGTH({_quoted(column)})) FROM {table}")).scalar()
            if longest is not None and longest > length:
                raise RuntimeError(
                    f"{table}.{column} holds a value of {longest} characters; the schema before 0014 allows "
                    f"{length}, so it cannot be restored without cutting it"
                )

    op.drop_index("ix_alert_links_team_id_key", table_name="alert_links")
    op.drop_index("ix_alert_event_keys_lookup", table_name="alert_event_keys")
    op.drop_index("ix_alert_events_team_id_group", table_name="alert_events")
    with _rebuilding_referenced_tables():
        for table, columns in BOUNDED_BEFORE.items():
            with op.batch_alter_table(table) as batch:
                if table == "alert_events":
                    batch.drop_constraint("uq_alert_events_team_id_source_external_id_sha256", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_events_team_id_source_external_id", ["team_id", "source", "external_id"]
                    )
                elif table == "alert_event_keys":
                    batch.drop_constraint("pk_alert_event_keys", type_="primary")
                    batch.create_primary_key("pk_alert_event_keys", ["event_id", "kind", "value"])
                elif table == "alert_links":
                    batch.drop_constraint("uq_alert_links_incident_id_source_kind_value_sha256", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_links_incident_id_source_kind_value", ["incident_id", "source", "kind", "value"]
                    )
                elif table == "alert_routes":
                    batch.drop_constraint("uq_alert_routes_team_id_source_match_text_sha256", type_="unique")
                    batch.create_unique_constraint(
                        "uq_alert_routes_team_id_source_match_text", ["team_id", "source", "match_text"]
                    )
                elif table == "alert_declarations":
                    batch.drop_constraint(
                        "uq_alert_declarations_team_id_source_group_kind_group_sha256", type_="unique"
                    )
                    batch.create_unique_constraint(
                        "uq_alert_declarations_team_id_source_group_kind_group_value",
                        ["team_id", "source", "group_kind", "group_value"],
                    )
                for _, digest in DIGESTS.get(table, ()):
                    batch.drop_column(digest)
                for column, length in columns.items():
                    batch.alter_column(column, existing_type=sa.Text(), type_=sa.String(length=length))
    op.create_index("ix_alert_events_team_id_group", "alert_events", ["team_id", "source", "group_kind", "group_value"])
    op.create_index("ix_alert_event_keys_lookup", "alert_event_keys", ["team_id", "source", "kind", "value"])
    op.create_index("ix_alert_links_team_id_key", "alert_links", ["team_id", "source", "kind", "value"])


def _quoted(column: str) -> str:
    return f'"{column}"'
