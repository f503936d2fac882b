"""The alembic revisions and the models describe the same schema, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.alert_events import AlertKey, AlertSource
from bot.core.alert_links import RouteSpec
from storage import alert_events, alert_links
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Incident
from storage.schema import metadata
from storage.session import make_engine
from tests.support.databases import server_url, temporary_postgres_database


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    base = server_url()
    if base:
        with temporary_postgres_database(base) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


def test_upgrade_head_gives_exactly_the_schema_the_models_describe(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    engine = make_engine(empty_database)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_the_revisions_form_a_single_line_of_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_every_revision_downgrades_to_an_empty_database_and_back(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    command.downgrade(alembic_config(empty_database), "base")
    upgrade_to_head(empty_database)


def test_upgrading_twice_changes_nothing(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    upgrade_to_head(empty_database)


def _insert(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _count(url: str, table: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


INCIDENT = (
    "INSERT INTO incidents (id, team_id, channel_id, title, status, "
    "started_at) VALUES ({id}, 'T1', 'C1', 't', 'resolved', '2026-11-29 "
    "14:00:00+00:00')"
)


def test_closing_incidents_keeps_every_record_on_the_way_up_and_down(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "0007_answer_first_exactly_once")
    _insert(
        empty_database,
        INCIDENT.format(id=1),
        "INSERT INTO messages (incident_id, team_id, channel_id, ts, text, posted_at, source) "
        "VALUES (1, 'T1', 'C1', '1764428400.000100', 'db is slow', '2026-11-29 14:40:00+00:00', 'live')",
        "INSERT INTO phase_marks (incident_id, phase, at, created_at) VALUES (1, "
        "'resolved', '2026-11-29 15:00:00+00:00', '2026-11-29 15:00:00+00:00')",
    )

    upgrade_to_head(empty_database)
    # SQLite rebuilds the table to drop its constraint: rows that refer to it must survive that.
    assert (
        _count(empty_database, "incidents"),
        _count(empty_database, "messages"),
        _count(empty_database, "phase_marks"),
    ) == (1, 1, 1)
    with pytest.raises(IntegrityError):  # one open incident per channel
        _insert(empty_database, INCIDENT.format(id=2))
    _insert(
        empty_database,
        "UPDATE incidents SET closed_at = '2026-11-29 15:10:00+00:00', closed_by = 'U1' WHERE id = 1",
        INCIDENT.format(id=2),
    )
    with pytest.raises(IntegrityError):  # a closed one does not count, a second open one still does
        _insert(empty_database, INCIDENT.format(id=3))

    with pytest.raises(RuntimeError, match="holds more than one incident"):
        command.downgrade(alembic_config(empty_database), "0007_answer_first_exactly_once")
    _insert(empty_database, "DELETE FROM incidents WHERE id = 2")
    command.downgrade(alembic_config(empty_database), "0007_answer_first_exactly_once")
    assert (
        _count(empty_database, "incidents"),
        _count(empty_database, "messages"),
        _count(empty_database, "phase_marks"),
    ) == (1, 1, 1)
    with pytest.raises(IntegrityError):  # one incident per channel again, as before 0008
        _insert(empty_database, INCIDENT.format(id=2))
    upgrade_to_head(empty_database)
    assert _count(empty_database, "messages") == 1


def test_datetimes_come_back_aware_in_utc_whatever_zone_they_were_stored_in(sessions) -> None:
    paris_noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    with sessions.begin() as session:
        session.add(Incident(team_id="T1", channel_id="C1", title="t", status="active", started_at=paris_noon))
    with sessions() as session:
        stored = session.scalars(select(Incident.started_at)).one()
    assert stored == paris_noon
    assert stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 6, 1, 10, 0, tzinfo=UTC)


def test_a_naive_datetime_is_refused_at_the_database_boundary(sessions: sessionmaker[Session]) -> None:
    naive = datetime(2026, 6, 1, 12, 0)  # noqa: DTZ001 (the naive time under test)
    with sessions() as session:
        session.add(Incident(team_id="T1", channel_id="C1", title="t", status="active", started_at=naive))
        with pytest.raises(Exception, match="naive datetime refused"):
            session.flush()


def test_every_revision_id_fits_alembics_version_column() -> None:
    """alembic_version.version_num is VARCHAR(32): PostgreSQL refuses a longer id, SQLite does not."""
    too_long = [
        r.revision
        for r in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
        if len(r.revision) > 32
    ]
    assert too_long == []


ALERT_ROWS_AT_0013 = (
    INCIDENT.format(id=1).replace("'resolved'", "'active'"),
    (
        "INSERT INTO alert_deliveries (id, team_id, source, body_sha256, body, received_at) "
        "VALUES (1, 'T1', 'pagerduty', 'abc', '{}', '2026-11-29 14:00:00+00:00')"
    ),
    (
        "INSERT INTO alert_events (id, team_id, source, external_id, action, at, title, group_kind, group_value, "
        "fields, delivery_id, received_at) VALUES (1, 'T1', 'pagerduty', '01EVT', 'triggered', "
        "'2026-11-29 13:50:00+00:00', 'Checkout latency', 'incident', 'Q2XYZ', '{}', 1, '2026-11-29 14:00:00+00:00')"
    ),
    (
        "INSERT INTO alert_event_keys (event_id, kind, value, team_id, source) "
        "VALUES (1, 'incident', 'Q2XYZ', 'T1', 'pagerduty')"
    ),
    (
        "INSERT INTO alert_links (id, incident_id, team_id, source, kind, value, label, via, created_at) VALUES "
        "(1, 1, 'T1', 'pagerduty', 'incident', 'Q2XYZ', 'PagerDuty incident Q2XYZ', 'command', "
        "'2026-11-29 14:00:00+00:00')"
    ),
    (
        "INSERT INTO alert_routes (id, team_id, source, matches, match_text, severity, created_at) VALUES "
        "(1, 'T1', 'pagerduty', '[[\"urgency\", \"high\"]]', 'urgency=high', 'sev1', '2026-11-29 14:00:00+00:00')"
    ),
    (
        "INSERT INTO alert_declarations (id, team_id, source, group_kind, group_value, route_id, event_id, "
        "incident_id, created_at) VALUES (1, 'T1', 'pagerduty', 'incident', 'Q2XYZ', 1, 1, 1, "
        "'2026-11-29 14:00:00+00:00')"
    ),
)


def test_alert_rows_kept_before_0014_are_found_by_their_digests_after_it(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "0013_ui_channel_access")
    _insert(empty_database, *ALERT_ROWS_AT_0013)
    upgrade_to_head(empty_database)

    engine = make_engine(empty_database)
    key = AlertKey(AlertSource.PAGERDUTY, "incident", "Q2XYZ")
    now = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    try:
        with Session(engine) as session, session.begin():
            assert [e.external_id for e in alert_events.events_by_key(session, team_id="T1", key=key)] == ["01EVT"]
            assert len(alert_events.events_of_group(session, team_id="T1", group=key)) == 1
            assert alert_links.incidents_linked_to(session, team_id="T1", keys=[key]) == [1]
            incident = session.get(Incident, 1)
            assert incident is not None
            assert [e.external_id for e in alert_links.linked_events(session, incident)] == ["01EVT"]
            # the unique keys still decide: the same link, route and declaration are not made again
            assert not alert_links.add_link(
                session,
                incident_id=1,
                team_id="T1",
                key=key,
                label="x",
                via="command",
                user_id=None,
                now=now,
                restore=False,
            )
            route = RouteSpec(AlertSource.PAGERDUTY, (("urgency", "high"),), "sev2")
            assert alert_links.add_route(session, team_id="T1", route=route, now=now) == (1, False)
            assert (
                alert_links.claim_declaration(session, team_id="T1", group=key, route_id=1, event_id=1, now=now) is None
            )
    finally:
        engine.dispose()

    command.downgrade(alembic_config(empty_database), "0013_ui_channel_access")
    assert _count(empty_database, "alert_event_keys") == 1
    upgrade_to_head(empty_database)


def test_a_downgrade_below_0014_refuses_to_cut_a_value_longer_than_the_old_column(empty_database: str) -> None:
    upgrade_to_head(empty_database)
    _insert(empty_database, INCIDENT.format(id=1).replace("'t'", f"'{'t' * 301}'"))
    with pytest.raises(RuntimeError, match=r"incidents.title holds a value of 301 characters"):
        command.downgrade(alembic_config(empty_database), "0013_ui_channel_access")
    assert _count(empty_database, "incidents") == 1
