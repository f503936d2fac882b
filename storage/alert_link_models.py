"""Tables that join alert events to incidents: links, routes, and what routes declared.

Events are not copied to incidents: an incident's alerts are the events carrying one of its
links' keys (``alert_event_keys``), so a link finds the events that arrived before it and every
later one alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class AlertLink(Base):
    """One alert handle (an ``AlertKey``) linked to an incident.

    What a person typed can mean several handles (a bare id may be a PagerDuty incident or an
    Opsgenie alias): each is a row, with the same ``label``. An unlinked row is kept with
    ``removed_at`` set, so the message that linked it automatically does not link it again; a
    typed ``/incident link`` brings it back. ``via`` is ``command``, ``message`` or ``route``.
    """

    __tablename__ = "alert_links"
    __table_args__ = (
        UniqueConstraint("incident_id", "source", "kind", "value_sha256"),
        Index("ix_alert_links_team_id_key", "team_id", "source", "kind", "value_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    value_sha256: Mapped[str] = mapped_column(String(64))
    """The digest of ``value`` (storage/digest.py): the key that decides, whatever the length."""
    label: Mapped[str] = mapped_column(Text)
    via: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[str | None] = mapped_column(String(32))


class AlertRoute(Base):
    """A trigger of ``source`` whose fields all equal ``matches`` declares an incident of ``severity``.

        ``matches`` is a list of ``[field, value]`` pairs; ``match_text`` is their canonical form
        (sorted ``field=value`` words), which makes adding the same route twice change nothing (its
    digest ``match_text_sha256`` is the unique key)."""

    __tablename__ = "alert_routes"
    __table_args__ = (UniqueConstraint("team_id", "source", "match_text_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    matches: Mapped[list[Any]]
    match_text: Mapped[str] = mapped_column(Text)
    match_text_sha256: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]


class AlertDeclaration(Base):
    """An alert thread a route declared an incident for: the unique key that makes a redelivered
    or concurrent trigger (and every later event of the same PagerDuty incident or Alertmanager
    group) join that incident instead of declaring another. ``incident_id`` is set once the
    declared channel exists."""

    __tablename__ = "alert_declarations"
    __table_args__ = (UniqueConstraint("team_id", "source", "group_kind", "group_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))
    group_kind: Mapped[str] = mapped_column(String(16))
    group_value: Mapped[str] = mapped_column(Text)
    group_sha256: Mapped[str] = mapped_column(String(64))
    route_id: Mapped[int | None] = mapped_column(ForeignKey("alert_routes.id", ondelete="SET NULL"))
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
