"""A payload whose ids are longer than any Slack id is not Slack's: found wherever the id sits."""

from __future__ import annotations

from bot.core.slack_ids import MAX_ID_CHARS, oversized_id

LONG = "V" * (MAX_ID_CHARS + 1)


def test_ids_of_slacks_own_width_are_not_oversized() -> None:
    payload = {"team": {"id": "T1"}, "user": {"id": "U1"}, "view": {"id": "V0123456789", "team_id": "T1"}}
    assert oversized_id(payload) is None


def test_a_long_id_is_found_by_its_path_even_deep_in_a_list() -> None:
    assert oversized_id({"event": {"files": [{"user": "U1"}, {"user": LONG}]}}) == "event.files[1].user"


def test_a_forms_view_id_counts_as_an_id() -> None:
    assert oversized_id({"type": "view_submission", "view": {"id": LONG, "callback_id": "declare"}}) == "view.id"


def test_the_team_and_user_objects_of_a_click_name_their_ids() -> None:
    assert oversized_id({"type": "block_actions", "team": {"id": LONG, "domain": "acme"}}) == "team.id"
    assert oversized_id({"type": "block_actions", "user": {"id": LONG, "name": "ada"}}) == "user.id"


def test_other_objects_ids_and_long_text_are_left_alone() -> None:
    payload = {"event": {"text": "x" * 10_000, "files": [{"id": LONG, "name": "y" * 10_000}]}}
    assert oversized_id(payload) is None
