"""The tables of alert events: what paging and alerting tools sent us, kept per workspace.

A delivery (one webhook request body) yields one or more events; each event is stored once per
workspace and source (``external_id`` decides) with the handles it can be found by (its keys).

Values a sender chooses (ids, group keys, label values) are kept whole as unbounded text; where
one must be unique or looked up, its ``…_sha256`` digest (storage/digest.py) carries the index,
so no length makes a delivery fail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class AlertDelivery(Base):
    """One request body as it arrived, kept once per workspace and source (by its SHA-256):
    the same body delivered again is the same delivery."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (UniqueConstraint("team_id", "source", "body_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    body_sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime]


class StoredAlert(Base):
    """One alert event (``bot/core/alert_events.py``'s ``AlertEvent``) as kept.

    ``at`` is the source's own time of the event; ``received_at`` when it reached us.
    ``group_kind``/``group_value`` name the thread it belongs to (a PagerDuty incident, an
    Opsgenie alert, an Alertmanager or Grafana alert by fingerprint).
    """

    __tablename__ = "alert_events"
    __table_args__ = (
        UniqueConstraint("team_id", "source", "external_id_sha256"),
        Index("ix_alert_events_team_id_group", "team_id", "source", "group_kind", "group_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(Text)
    external_id_sha256: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    title: Mapped[str] = mapped_column(Text)
    group_kind: Mapped[str] = mapped_column(String(16))
    group_value: Mapped[str] = mapped_column(Text)
    group_sha256: Mapped[str] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any]]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("alert_deliveries.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[datetime]


class AlertEventKey(Base):
    """A handle (``AlertKey``) by which an event is found: ``/incident link``, routes, later events."""

    __tablename__ = "alert_event_keys"
    __table_args__ = (Index("ix_alert_event_keys_lookup", "team_id", "source", "kind", "value_sha256"),)

    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    value_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))


class WebhookEndpoint(Base):
    """A workspace's own secret for one source (multi-workspace install): a signing secret
    (PagerDuty, Grafana) or a bearer token (Opsgenie, Alertmanager). Several rows for the same
    workspace and source are several valid secrets (rotation): any match passes.

    Kept as given: an HMAC cannot be checked against a hash of its secret.
    """

    __tablename__ = "webhook_endpoints"
    __table_args__ = (UniqueConstraint("team_id", "source", "secret"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    secret: Mapped[str] = mapped_column(String(300))
    timestamp_header: Mapped[str | None] = mapped_column(String(100))
    """Grafana only: the header that carries the signed timestamp, when the contact point sends one."""
    created_at: Mapped[datetime]
