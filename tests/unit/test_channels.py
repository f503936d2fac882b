"""Which channel gets a workspace's review or announcements: its choice, then the setting."""

from __future__ import annotations

from bot.core.channels import Choice, ConfiguredChannels, destination

PAIRS = ConfiguredChannels.parse("T1AA:C1AA,T2BB:C2BB", name="SCRIBE_REVIEW_CHANNEL")
BARE = ConfiguredChannels.parse("CALL", name="SCRIBE_REVIEW_CHANNEL")


def test_a_workspaces_own_choice_comes_first_and_off_means_none() -> None:
    assert destination("T1AA", choice=Choice("CMINE"), configured=PAIRS, one_workspace=False) == "CMINE"
    assert destination("T1AA", choice=Choice(None), configured=PAIRS, one_workspace=True) is None


def test_pairs_name_each_workspaces_channel_in_any_mode() -> None:
    assert destination("T2BB", choice=None, configured=PAIRS, one_workspace=False) == "C2BB"
    assert destination("T3CC", choice=None, configured=PAIRS, one_workspace=False) is None


def test_a_bare_channel_serves_only_an_app_that_serves_one_workspace() -> None:
    assert destination("T1AA", choice=None, configured=BARE, one_workspace=True) == "CALL"
    assert destination("T1AA", choice=None, configured=BARE, one_workspace=False) is None


def test_nothing_set_means_no_channel() -> None:
    assert ConfiguredChannels.parse(None, name="X") == ConfiguredChannels()
    assert destination("T1AA", choice=None, configured=ConfiguredChannels(), one_workspace=True) is None
