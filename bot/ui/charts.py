"""The insights as charts: for each, what Chart.js draws (type, labels, series) and the same
numbers as a table beside it, so every figure can be read without the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.core.durations import format_duration
from bot.core.insights import Insights
from bot.core.updates import CadenceGroup

MEASURES = (("acknowledge", "Time to acknowledge"), ("mitigate", "Time to mitigate"), ("resolve", "Time to resolve"))


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    spec: dict[str, Any]
    """Chart.js's type, labels and datasets (plain numbers), and the unit of the y axis."""
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str | None = None


def _minutes(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def _shown(value: timedelta | None) -> str:
    return "—" if value is None else format_duration(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def charts_of(figures: Insights) -> list[Chart]:
    charts = []
    for key, groups, kind, title in (
        ("by-week", figures.by_week, "line", "by week (median, minutes)"),
        ("by-severity", figures.by_severity, "bar", "by severity (median, minutes)"),
    ):
        charts.append(
            Chart(
                key,
                f"Time to acknowledge, mitigate and resolve {title}",
                {
                    "type": kind,
                    "unit": "minutes",
                    "labels": [g.group for g in groups],
                    "datasets": [
                        {"label": label, "data": [_minutes(g.figure(m).median) for g in groups]}
                        for m, label in MEASURES
                    ],
                },
                ("Group", "Incidents", *(f"{label} (median / p90)" for _, label in MEASURES)),
                tuple(
                    (
                        g.group,
                        str(g.incidents),
                        *(f"{_shown(g.figure(m).median)} / {_shown(g.figure(m).p90)}" for m, _ in MEASURES),
                    )
                    for g in groups
                ),
                "Measured from detection, over resolved incidents with a detection time.",
            )
        )
    services = figures.incidents_per_service
    charts.append(
        Chart(
            "per-service",
            "Incidents per service",
            {
                "type": "bar",
                "unit": "incidents",
                "labels": [c.name for c in services],
                "datasets": [{"label": "Incidents", "data": [c.count for c in services]}],
            },
            ("Service", "Incidents"),
            tuple((c.name, str(c.count)) for c in services),
        )
    )
    budgets = figures.budgets
    charts.append(
        Chart(
            "budget",
            "Error budget burned per service",
            {
                "type": "bar",
                "unit": "% of the budget",
                "labels": [b.service for b in budgets],
                "datasets": [{"label": "Burned", "data": [round(b.burned_fraction * 100, 1) for b in budgets]}],
            },
            ("Service", "Burned", "State"),
            tuple(
                (b.service, _percent(b.burned_fraction), "over budget" if b.over_budget else "within budget")
                for b in budgets
            ),
            None if budgets else "No service has an SLO yet: scribe services set NAME --slo 99.9 --window 28d.",
        )
    )
    weeks = figures.close_rate_by_week
    overall = figures.close_rate
    charts.append(
        Chart(
            "close-rate",
            "Action items closed on time, by due week",
            {
                "type": "line",
                "unit": "% on time",
                "labels": [w.week for w in weeks],
                "datasets": [
                    {
                        "label": "On time",
                        "data": [None if w.rate is None else round(w.rate * 100) for w in weeks],
                    }
                ],
            },
            ("Due week", "On time", "Late", "Rate"),
            tuple((w.week, str(w.on_time), str(w.late), _percent(w.rate)) for w in weeks),
            f"Over the period: {_percent(overall.rate)} ({overall.on_time} of {overall.considered}).",
        )
    )
    causes = figures.cause_categories
    charts.append(
        Chart(
            "causes",
            "Root-cause categories",
            {
                "type": "bar",
                "unit": "incidents",
                "labels": [c.category for c in causes],
                "datasets": [{"label": "Incidents", "data": [c.incidents for c in causes]}],
            },
            ("Category", "Incidents", "Repeated"),
            tuple((c.category, str(c.incidents), "repeated" if c.repeated else "") for c in causes),
            f"{figures.uncategorised} incident(s) in the period have no root cause recorded.",
        )
    )
    return charts


def cadence_chart(groups: list[CadenceGroup]) -> Chart:
    """Status-update cadence by severity: each incident's longest stretch without an update,
    its median and the worst, against the severity's target (``SCRIBE_UPDATE_EVERY``)."""
    return Chart(
        "update-cadence",
        "Status-update cadence by severity (longest stretch without an update, minutes)",
        {
            "type": "bar",
            "unit": "minutes",
            "labels": [g.severity for g in groups],
            "datasets": [
                {"label": "Median", "data": [_minutes(g.median_gap) for g in groups]},
                {"label": "Worst", "data": [_minutes(g.worst_gap) for g in groups]},
                {"label": "Target", "data": [_minutes(g.target) for g in groups]},
            ],
        },
        ("Severity", "Incidents", "Median", "Worst", "Target", "Within target"),
        tuple(
            (
                g.severity,
                str(g.incidents),
                _shown(g.median_gap),
                _shown(g.worst_gap),
                _shown(g.target),
                f"{g.kept} of {g.incidents}" if g.target is not None else "no target",
            )
            for g in groups
        ),
        "From the start to the first update, between updates, and from the last to the resolution.",
    )
