"""Services and their SLOs: configured with ``scribe services set``, set on incidents with
``/incident service``, and the error budget each has left."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.budget import (
    BudgetStatus,
    IncidentWindow,
    Slo,
    SloInputError,
    budget_status,
    parse_target,
    parse_window,
    rank_services,
)
from bot.services.errors import UserFacingError
from bot.services.incidents import require_incident
from storage import followup_queries as followup_repo
from storage import slos as repo
from storage.followup_queries import IncidentFacts

ALL_TEAMS = repo.ALL_TEAMS
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


@dataclass(frozen=True)
class ConfiguredSlo:
    team_id: str
    name: str
    target_percent: float
    window: timedelta


def service_name(text: str) -> str:
    """A service name as stored: lower case, one word of letters, digits, ``.``, ``_`` or ``-``."""
    name = text.strip().lower()
    if not _NAME.fullmatch(name):
        raise UserFacingError(
            f"“{text.strip()[:40]}” can't be a service name: use one word of letters, digits, dots, "
            "dashes or underscores (at most 100), such as `checkout-api`."
        )
    return name


def set_slo(
    session: Session, *, name: str, target: str, window: str, now: datetime, team_id: str = ALL_TEAMS
) -> ConfiguredSlo:
    """Configure (or change) a service's SLO, such as 99.9 over 28d."""
    try:
        slo = Slo(service_name(name), parse_target(target), parse_window(window))
    except SloInputError as error:
        raise UserFacingError(str(error)) from None
    repo.set_slo(
        session,
        team_id=team_id,
        name=slo.service,
        target_percent=slo.target_percent,
        window_seconds=int(slo.window.total_seconds()),
        now=now,
    )
    return ConfiguredSlo(team_id, slo.service, slo.target_percent, slo.window)


def list_slos(session: Session) -> list[ConfiguredSlo]:
    return [
        ConfiguredSlo(r.team_id, r.name, r.target_percent, timedelta(seconds=r.window_seconds))
        for r in repo.all_slos(session)
    ]


def slos_for(session: Session, team_id: str) -> list[Slo]:
    return [Slo(r.name, r.target_percent, timedelta(seconds=r.window_seconds)) for r in repo.slos_for(session, team_id)]


@dataclass(frozen=True)
class ServiceSet:
    name: str
    previous: str | None
    slo: Slo | None


def set_incident_service(session: Session, *, team_id: str, channel_id: str, name: str) -> ServiceSet:
    incident = require_incident(session, team_id, channel_id)
    chosen = service_name(name)
    previous, incident.service = incident.service, chosen
    slo = next((s for s in slos_for(session, team_id) if s.service == chosen), None)
    return ServiceSet(chosen, previous, slo)


def impact_window(facts: IncidentFacts) -> IncidentWindow | None:
    """Detected (or started) to mitigated (or resolved); still open while neither is marked."""
    if facts.service is None:
        return None
    start = facts.phases.get("detected") or facts.started_at
    end = facts.phases.get("mitigated") or facts.phases.get("resolved")
    return IncidentWindow(facts.service, start, end)


def team_budgets(
    session: Session, team_id: str, *, now: datetime, facts: list[IncidentFacts] | None = None
) -> list[BudgetStatus]:
    """Every SLO'd service's budget at ``now``, most burned first."""
    slos = slos_for(session, team_id)
    if not slos:
        return []
    facts = facts if facts is not None else followup_repo.incident_facts(session, team_id)
    windows = [w for f in facts if (w := impact_window(f)) is not None]
    return rank_services(budget_status(slo, windows, now=now) for slo in slos)
