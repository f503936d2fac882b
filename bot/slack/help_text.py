"""The ``/incident help`` answer, in Slack mrkdwn (the grammar itself is bot/core/grammar.py)."""

HELP_TEXT = "\n".join(
    [
        "*Incident Scribe* keeps the record of this incident channel.",
        "• `/incident declare [sev1..sev4] TITLE` — open a new incident channel and start recording there",
        (
            "• `/incident start [sev1..sev4] TITLE [--since TIME]` — start recording this channel (and what"
            " was said before)"
        ),
        (
            "• `/incident mark PHASE [at TIME] [NOTE]` — mark `detected`, `acknowledged` (`ack`),"
            " `mitigated` or `resolved`"
        ),
        (
            "   TIME: `14:05`, `14:05 UTC`, `2026-11-29 14:05`, `2026-11-29T14:05+01:00`, `10m ago`, `2h"
            " ago`, `15 minutes ago`"
        ),
        "   A time without a zone is read in your own Slack timezone.",
        "• `/incident note TEXT` — add a key event to the timeline",
        "• `/incident status` — phases and durations so far",
        (
            "• `/incident role commander|comms|scribe @person` — give a role (a handoff when someone had it) ·"
            " `/incident roles` — who holds them"
        ),
        (
            "• `/incident update [TEXT]` — post a status update here and to the stakeholders (no text: a form)"
            " · `/incident catchup` — the incident so far, for you alone"
        ),
        "• `/incident link URL_OR_ID` — join an alert to this incident; its events write the timeline",
        "   a PagerDuty incident URL or id, an Opsgenie alert URL, id, tiny id or alias, an Alertmanager/Grafana",
        "   alertname, fingerprint or group key · `/incident links` — the links · `/incident unlink N` — remove one",
        "• `/incident impact TEXT` — who was affected, for how long, how many (for the postmortem)",
        "• `/incident cause TEXT` — the root cause: something in the system you can change",
        "• `/incident factor TEXT` — a contributing factor",
        "• `/incident went-well TEXT` / `/incident went-poorly TEXT` — what helped, what fell short",
        "• `/incident surprised [TEXT]` — this surprised us: a full postmortem whatever the severity",
        "• `/incident postmortem` — post a new version of the draft postmortem (posted on `mark resolved` too)",
        (
            "• `/incident star ENTRY` · `unstar ENTRY` · `hide ENTRY` · `unhide ENTRY` — a key event of the"
            " draft's timeline, or left out of it; ENTRY is a message's link (*Copy link*) or an entry id such"
            " as `note:12`"
        ),
        (
            "• `/incident close` — stop recording this channel once its incident is resolved · `/incident"
            " reopen` (no ID) — record it again"
        ),
        (
            "• `/incident action @owner DUE TEXT` — an action item with one owner and a due date"
            " (`2026-12-04`, `friday`, `in 3 days`); no arguments opens a form"
        ),
        "• `/incident actions` / `/incident actions mine` — this incident's items / yours everywhere",
        (
            "• `/incident action file ID` · `action link ID URL_OR_KEY` — file an item in the tracker, or link"
            " its ticket (a Jira key, a GitHub issue or `#N`, a Linear issue)"
        ),
        (
            "• `/incident done ID` · `reopen ID` · `due ID DATE` · `reassign ID @person` — change an item"
            " (`reopen` with an ID is the item)"
        ),
        (
            "• `/incident service NAME` — the service this incident hit (for error budgets) · `/incident"
            " stats` — the workspace's numbers"
        ),
        (
            "• `/incident review here|off` · `/incident announce here|off` · `/incident stakeholders here|off`"
            " — where the weekly review / new-incident announcements / status updates' copies go"
        ),
        "• `/incident help` — this message",
    ]
)
