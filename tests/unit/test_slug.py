from datetime import date

import pytest

from bot.core.slug import MAX_CHANNEL_NAME, incident_channel_name, slugify


def test_a_title_becomes_a_dated_channel_name_slack_accepts() -> None:
    assert (
        incident_channel_name("Checkout 5xx in EU-west!", date(2026, 11, 29)) == "inc-20261129-checkout-5xx-in-eu-west"
    )


def test_later_attempts_get_a_number_so_the_name_is_unique() -> None:
    assert incident_channel_name("DB down", date(2026, 11, 29), attempt=2) == "inc-20261129-db-down-2"
    assert incident_channel_name("DB down", date(2026, 11, 29), attempt=12) == "inc-20261129-db-down-12"


def test_accents_are_folded_and_a_title_of_symbols_still_gives_a_name() -> None:
    assert slugify("Dégradation du paiement") == "degradation-du-paiement"
    assert slugify("🔥🔥🔥") == "incident"


def test_a_long_title_is_cut_at_a_word_and_the_name_stays_within_slacks_limit() -> None:
    title = "payments " * 30
    slug = slugify(title)
    assert len(slug) <= 40
    assert not slug.endswith("-")
    assert slug.endswith("payments")
    assert len(incident_channel_name(title, date(2026, 1, 1), attempt=99)) <= MAX_CHANNEL_NAME


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="counts from 1"):
        incident_channel_name("x", date(2026, 1, 1), attempt=0)
