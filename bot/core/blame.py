"""A deterministic check for sentences that name a person as the cause.

The seed: "Person X did Y" is never a root cause; it is the end of learning. The check only
points at sentences; it never rewrites them. Subjects are judged by a simple rule: a Slack
mention, a personal pronoun, a people noun ("the engineer", "the on-call") or a capitalised
single word that is not a known system is a person; any other subject is a system.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.mentions import USER_MENTION

SEED_HINT = "Ask what allowed this to matter: which system or decision made it possible?"

HINTS: dict[str, str] = {
    "person": f'"Person X did Y" is never a root cause; it is the end of learning. {SEED_HINT}',
    "human_error": f"An error label stops at the person. {SEED_HINT} "
    "Which safeguard, default or tool would have made the slip harmless?",
    "omission": f"{SEED_HINT} What made this step easy to miss: a missing check, alert, reminder or automation?",
    "hindsight": f'{SEED_HINT} "Should have" judges with hindsight; '
    "describe what the system made easy or hard at the time.",
    "character": f"{SEED_HINT} Describe the action and its context, not the person's character.",
    "fault": f"A postmortem is not a trial. {SEED_HINT}",
}


@dataclass(frozen=True)
class BlameFlag:
    sentence: str
    phrase: str
    """The words that triggered the flag, as written."""
    hint: str


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
_TOKEN = re.compile(USER_MENTION.pattern + r"|[A-Za-z0-9](?:[\w'’-]|\.(?=\w))*")
_POSSESSIVE = re.compile(r"['’]s$")

# Phrases that need a person as their subject (the words just before them).
_SUBJECT_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("omission", re.compile(r"\b(?:forgot(?:ten)?|fail(?:ed|s)? to|neglected to|ignored)\b", re.I)),
    ("omission", re.compile(r"\b(?:didn['’]t|did not|never) bother(?:ed)?\b", re.I)),
    ("hindsight", re.compile(r"\bshould(?:n['’]t| not)? ?(?:have|['’]ve)\b", re.I)),
    ("character", re.compile(r"\b(?:messed|screwed) up\b", re.I)),
)
# Phrases that need a person as their object (the words just after them).
_AGENT_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("person", re.compile(r"\b(?:caused|triggered|broken|introduced) by\b", re.I)),
    ("person", re.compile(r"\b(?:due to|because of)\b", re.I)),
    ("fault", re.compile(r"\bfault of\b", re.I)),
)
# Phrases that are blame whoever they are about.
_PLAIN_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("human_error", re.compile(r"\b(?:human|operator|engineer|user) (?:error|mistake)s?\b", re.I)),
    ("character", re.compile(r"\bcareless\w*", re.I)),
    ("character", re.compile(r"\bnegligen\w*", re.I)),
    ("fault", re.compile(r"(?<!git )\bblam(?:e|ed|es|ing)\b", re.I)),
    ("fault", re.compile(r"\b(?:his|her|their|my|your) fault\b", re.I)),
)
_POSSESSIVE_FAULT = re.compile(r"['’]s fault\b", re.I)
_FAILURE_WORDS = re.compile(
    r"\b(?:broke|broken|break|breaks|caus(?:ed|ing)|crash\w*|outage|fail\w*|bad|wrong|"
    r"mistake\w*|accidental\w*|errors?|deleted|dropped|wiped|misconfigur\w*|typo|"
    r"incorrect\w*|(?:took|brought|take|bring) down|missed)\b",
    re.I,
)

_PERSON_PRONOUNS = frozenset({"i", "he", "she", "they", "someone", "somebody", "him", "her", "them", "me"})
_NOT_PEOPLE = frozenset(
    {
        "we",
        "you",
        "it",
        "this",
        "that",
        "these",
        "those",
        "nobody",
        "everyone",
        "everybody",
        "nothing",
        "something",
        "there",
        "which",
        "what",
        "no",
        "one",
        "each",
        "both",
        "all",
    }
)
_PEOPLE_NOUNS = frozenset(
    {
        "engineer",
        "engineers",
        "developer",
        "developers",
        "dev",
        "devs",
        "operator",
        "operators",
        "on-call",
        "oncall",
        "on-caller",
        "sre",
        "sres",
        "admin",
        "admins",
        "administrator",
        "sysadmin",
        "employee",
        "intern",
        "contractor",
        "reviewer",
        "author",
        "teammate",
        "colleague",
        "person",
        "guy",
        "responder",
        "commander",
        "manager",
        "lead",
        "staff",
    }
)
_SYSTEM_NOUNS = frozenset(
    [
        "pipeline",
        "deploy",
        "deployment",
        "release",
        "rollout",
        "rollback",
        "build",
        "job",
        "cron",
        "scheduler",
        "queue",
        "worker",
        "service",
        "server",
        "host",
        "node",
        "cluster",
        "pod",
        "container",
        "database",
        "db",
        "replica",
        "primary",
        "cache",
        "proxy",
        "balancer",
        "gateway",
        "router",
        "dns",
        "cdn",
        "certificate",
        "cert",
        "config",
        "configuration",
        "flag",
        "script",
        "migration",
        "alert",
        "alerting",
        "monitor",
        "monitoring",
        "check",
        "probe",
        "dashboard",
        "runbook",
        "test",
        "tests",
        "suite",
        "system",
        "platform",
        "api",
        "endpoint",
        "client",
        "library",
        "dependency",
        "network",
        "disk",
        "storage",
        "backup",
        "backups",
        "replication",
        "traffic",
        "retry",
        "retries",
        "timeout",
        "process",
        "daemon",
        "agent",
        "controller",
        "operator-less",
        "autoscaler",
        "scaler",
        "vendor",
        "provider",
        "tool",
        "tooling",
        "automation",
        "code",
        "change",
        "patch",
        "commit",
        "pr",
        "review",
        "checklist",
        "policy",
        "process",
        "procedure",
        "page",
        "paging",
        "pager",
        "log",
        "logging",
        "metric",
        "metrics",
        "health",
        "healthcheck",
        "orchestrator",
        "failover",
        "switch",
        "firewall",
        "vpn",
        "index",
        "schema",
        "table",
        "slot",
        "kubernetes",
        "k8s",
        "postgres",
        "postgresql",
        "mysql",
        "redis",
        "kafka",
        "nginx",
        "terraform",
        "jenkins",
        "github",
        "gitlab",
        "aws",
        "gcp",
        "azure",
        "cloudflare",
        "pagerduty",
        "datadog",
        "grafana",
        "prometheus",
        "elasticsearch",
        "consul",
        "vault",
        "docker",
        "helm",
        "argo",
        "argocd",
        "celery",
        "rabbitmq",
        "memcached",
        "cassandra",
        "mongodb",
        "dynamodb",
        "lambda",
        "systemd",
        "linux",
        "sentry",
        "stripe",
        "slack",
        "okta",
        "heroku",
        "vercel",
        "netlify",
        "opsgenie",
        "spinnaker",
        "circleci",
        "bitbucket",
        "jira",
        "ansible",
        "puppet",
        "chef",
        "envoy",
        "istio",
        "haproxy",
        "varnish",
        "fastly",
        "akamai",
        "s3",
        "ec2",
        "rds",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "black",
        "christmas",
        "easter",
    ]
)
_NOUN_SUFFIXES = ("ing", "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ism", "ure")
_SKIPPABLE = frozenset(
    {
        "also",
        "just",
        "simply",
        "apparently",
        "clearly",
        "obviously",
        "then",
        "again",
        "completely",
        "totally",
        "really",
        "probably",
        "still",
        "already",
        "accidentally",
        "mistakenly",
        "had",
        "has",
        "have",
        "did",
        "does",
        "do",
        "who",
        "unfortunately",
        "initially",
        "originally",
        "reportedly",
        "somehow",
        "once",
    }
)
_CLAUSE_OPENERS = frozenset(
    {
        "because",
        "since",
        "when",
        "after",
        "and",
        "as",
        "then",
        "once",
        "so",
        "but",
        "while",
        "until",
        "before",
        "where",
        "if",
    }
)
_DETERMINERS = frozenset({"the", "a", "an", "our", "their", "its", "one", "of"})


def split_sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_BREAK.split(text) if part and part.strip()]


def find_blame(text: str) -> list[BlameFlag]:
    """Sentences in `text` that name a person as the cause, in reading order."""
    flags: list[BlameFlag] = []
    for sentence in split_sentences(text):
        seen: set[tuple[int, int]] = set()
        for start, end, kind in sorted(_scan(sentence), key=lambda span: (span[0], -span[1])):
            if any(start < e and s < end for s, e in seen):
                continue
            seen.add((start, end))
            flags.append(BlameFlag(sentence=sentence, phrase=sentence[start:end], hint=HINTS[kind]))
    return flags


def _scan(sentence: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of every blaming phrase; spans may overlap."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(sentence)]
    for kind, pattern in _PLAIN_PHRASES:
        for m in pattern.finditer(sentence):
            yield m.start(), m.end(), kind
    for kind, pattern in _SUBJECT_PHRASES:
        for m in pattern.finditer(sentence):
            subject = _subject_before(tokens, m.start())
            if subject is not None and _names_a_person(tokens, subject):
                yield tokens[subject][0], m.end(), kind
    for m in _POSSESSIVE_FAULT.finditer(sentence):
        owner = _last_index_before(tokens, m.start() + 2)
        if owner is not None and tokens[owner][2] == "s":
            owner -= 1  # "<@U1>'s fault": the mention is the token before the "s"
        if owner is not None and _names_a_person(tokens, owner):
            yield tokens[owner][0], m.end(), "fault"
    for kind, pattern in _AGENT_PHRASES:
        for m in pattern.finditer(sentence):
            agent = _object_after(tokens, m.end())
            if agent is not None and _names_a_person(tokens, agent):
                yield m.start(), tokens[agent][1], kind
    yield from _mentions_as_subject(sentence, tokens)


def _mentions_as_subject(sentence: str, tokens: list[tuple[int, int, str]]) -> Iterator[tuple[int, int, str]]:
    failure = _FAILURE_WORDS.search(sentence)
    if failure is None:
        return
    for i, (start, _end, word) in enumerate(tokens):
        if start > failure.start():
            continue
        possessive_name = _POSSESSIVE.search(word) is not None and _names_a_person(tokens, i)
        if not (USER_MENTION.fullmatch(word) or possessive_name):
            continue
        opens_clause = i == 0 or tokens[i - 1][2].lower() in _CLAUSE_OPENERS
        opens_clause = opens_clause or sentence[tokens[i - 1][1] : start].strip() in {",", ";", ":", "("}
        following = i + 1
        if following < len(tokens) and tokens[following][2] == "s":
            following += 1  # "<@U1>'s deploy"
        if opens_clause and following < len(tokens):
            yield start, tokens[following][1], "person"


def _subject_before(tokens: list[tuple[int, int, str]], position: int) -> int | None:
    i = _last_index_before(tokens, position)
    while i is not None and i >= 0 and tokens[i][2].lower() in _SKIPPABLE:
        i -= 1
    return i if i is not None and i >= 0 else None


def _object_after(tokens: list[tuple[int, int, str]], position: int) -> int | None:
    for i, (start, _end, word) in enumerate(tokens):
        if start < position:
            continue
        if word.lower() in _DETERMINERS:
            continue
        return i
    return None


def _last_index_before(tokens: list[tuple[int, int, str]], position: int) -> int | None:
    found = None
    for i, (_start, end, _word) in enumerate(tokens):
        if end > position:
            break
        found = i
    return found


def _names_a_person(tokens: list[tuple[int, int, str]], index: int) -> bool:
    word = _POSSESSIVE.sub("", tokens[index][2])
    lower = word.lower()
    if USER_MENTION.fullmatch(word) or lower in _PERSON_PRONOUNS or lower in _PEOPLE_NOUNS:
        return True
    if lower in _NOT_PEOPLE or _is_system_word(lower):
        return False
    previous = tokens[index - 1][2].lower() if index > 0 else ""
    if previous in {"the", "a", "an", "our", "its", "their"}:
        return False  # "the Database": a capitalised noun, not a name
    return re.fullmatch(r"[A-Z][a-z]+", word) is not None


def _is_system_word(lower: str) -> bool:
    if lower in _SYSTEM_NOUNS or lower.endswith(_NOUN_SUFFIXES):
        return True
    return lower.endswith("s") and lower[:-1] in _SYSTEM_NOUNS
