import pytest

from bot.core.blame import SEED_HINT, find_blame, split_sentences

BLAMING = [
    ("<@U024BE7LH> forgot to renew the TLS certificate.", "<@U024BE7LH> forgot"),
    ("<@U024BE7LH|dana> failed to run the migration in staging first.", "<@U024BE7LH|dana> failed to"),
    ("Root cause: human error during the schema migration.", "human error"),
    ("An operator error dropped the replica.", "operator error"),
    ("Alice failed to run the migration in staging first.", "Alice failed to"),
    ("The on-call should have escalated sooner.", "on-call should have"),
    ("The engineer ignored the disk alert for 20 minutes.", "engineer ignored"),
    ("It was Bob's fault for merging on a Friday.", "Bob's fault"),
    ("The outage was caused by <@U1|dave> pushing a bad config.", "caused by <@U1|dave>"),
    ("He didn't bother to check the dashboard.", "He didn't bother"),
    ("Someone messed up the DNS record.", "Someone messed up"),
    ("Somebody screwed up the firewall rules.", "Somebody screwed up"),
    ("Carelessness during the rollout took down checkout.", "Carelessness"),
    ("A careless review let the change through.", "careless"),
    ("This was negligence, plain and simple.", "negligence"),
    ("<@U777>'s deploy broke checkout.", "<@U777>'s deploy"),
    ("Because <@U9> skipped the canary, the bad build reached every region.", "<@U9> skipped"),
    ("The fault of the engineer who approved it.", "fault of the engineer"),
    ("They should've rolled back immediately.", "They should've"),
    ("Nobody wants to blame the team.", "blame"),
    ("The developer who forgot the feature flag was new.", "developer who forgot"),
]

NOT_BLAMING = [
    "The deploy pipeline failed to roll back.",
    "The health check should have caught this.",
    "The database forgot its replication slot.",
    "Kubernetes failed to schedule the new pods.",
    "Monitoring should have paged on replication lag.",
    "The load balancer ignored the failing health check.",
    "We should have alerted on disk usage earlier.",
    "Traffic during Black Friday exceeded the autoscaler's limit.",
    "The incident was due to the Redis failover.",
    "The alert fired but nobody acknowledged it for 12 minutes.",
    "git blame showed the change came from a refactor two weeks ago.",
    "PagerDuty failed to page the secondary.",
    "Deploys failed to complete because the runner ran out of disk.",
    "The retries should've backed off.",
    "<@U1> deployed the fix at 14:30 and latency recovered.",
    "Checkout failed for 10% of users.",
    "Postgres's autovacuum failed to keep up with the write rate.",
    "The runbook did not mention the cache flush, so the rollback took 40 minutes.",
    "We ran a blameless review with the whole team.",
]


@pytest.mark.parametrize(("sentence", "phrase"), BLAMING)
def test_a_sentence_naming_a_person_as_the_cause_is_flagged_with_its_phrase(sentence: str, phrase: str) -> None:
    flags = find_blame(sentence)

    assert [flag.phrase for flag in flags] == [phrase]
    assert flags[0].sentence == sentence
    assert SEED_HINT in flags[0].hint


@pytest.mark.parametrize("sentence", NOT_BLAMING)
def test_a_sentence_about_a_system_is_not_flagged(sentence: str) -> None:
    assert find_blame(sentence) == []


def test_only_the_blaming_sentence_of_a_paragraph_is_flagged_and_left_as_written() -> None:
    text = (
        "The deploy pipeline failed to roll back. Alice forgot to pause the rollout!\n"
        "Was the health check tuned? The engineer ignored it"
    )

    flags = find_blame(text)

    assert [(flag.sentence, flag.phrase) for flag in flags] == [
        ("Alice forgot to pause the rollout!", "Alice forgot"),
        ("The engineer ignored it", "engineer ignored"),
    ]


def test_hints_differ_by_the_kind_of_phrase() -> None:
    hindsight = find_blame("The on-call should have escalated.")[0].hint
    omission = find_blame("The on-call forgot to escalate.")[0].hint
    label = find_blame("Human error.")[0].hint

    assert len({hindsight, omission, label}) == 3
    assert "hindsight" in hindsight


def test_two_phrases_in_one_sentence_give_two_flags_in_reading_order() -> None:
    flags = find_blame("Human error: Bob forgot the flag.")

    assert [flag.phrase for flag in flags] == ["Human error", "Bob forgot"]


def test_sentences_split_on_end_punctuation_and_newlines_but_not_inside_versions() -> None:
    assert split_sentences("Upgraded to v1.2.3 today. It broke!  Why?\n\nNo idea") == [
        "Upgraded to v1.2.3 today.",
        "It broke!",
        "Why?",
        "No idea",
    ]
