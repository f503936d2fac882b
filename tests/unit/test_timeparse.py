import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.duedate import parse_due_date, parse_due_prefix
from bot.core.timeparse import (
    TimeParseError,
    format_local,
    parse_at_clause,
    parse_moment,
)

UTC_ZONE = ZoneInfo("UTC")
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
KOLKATA = ZoneInfo("Asia/Kolkata")
AUCKLAND = ZoneInfo("Pacific/Auckland")

# Sunday 2026-11-29 15:00 UTC = 16:00 in Paris (CET, +01:00).
NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)


def moment(text: str, tz: ZoneInfo = PARIS, now: datetime = NOW) -> datetime:
    return parse_moment(text, now=now, tz=tz)


# --- forms --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:05", utc(2026, 11, 29, 13, 5)),
        ("14:05:30", utc(2026, 11, 29, 13, 5, 30)),
        ("2:05pm", utc(2026, 11, 29, 13, 5)),
        ("2:05 PM", utc(2026, 11, 29, 13, 5)),
        ("2pm", utc(2026, 11, 29, 13, 0)),
        ("12:10 am", utc(2026, 11, 28, 23, 10)),
        ("12:10 p.m.", utc(2026, 11, 29, 11, 10)),
        ("  14:05  ", utc(2026, 11, 29, 13, 5)),
        ("14:05 UTC", utc(2026, 11, 29, 14, 5)),
        ("14:05 utc", utc(2026, 11, 29, 14, 5)),
        ("14:05Z", utc(2026, 11, 29, 14, 5)),
        ("14:05 GMT", utc(2026, 11, 29, 14, 5)),
        ("14:05 +02:00", utc(2026, 11, 29, 12, 5)),
        ("14:05 -0330", utc(2026, 11, 28, 17, 35)),  # 17:35 UTC today is ahead
        ("14:05 Europe/Paris", utc(2026, 11, 29, 13, 5)),
        ("14:05 america/new_york", utc(2026, 11, 28, 19, 5)),
        ("2026-11-29 14:05", utc(2026, 11, 29, 13, 5)),
        ("2026-11-29T14:05", utc(2026, 11, 29, 13, 5)),
        ("2026-11-29 14:05 UTC", utc(2026, 11, 29, 14, 5)),
        ("2026-11-29T14:05:00+01:00", utc(2026, 11, 29, 13, 5)),
        ("2026-11-29T14:05:00Z", utc(2026, 11, 29, 14, 5)),
        ("2026-11-29t14:05:00.250z", utc(2026, 11, 29, 14, 5, 0, 250000)),
        ("yesterday 23:50", utc(2026, 11, 28, 22, 50)),
        ("Today 09:00", utc(2026, 11, 29, 8, 0)),
        ("now", NOW),
        ("NOW", NOW),
        ("10m ago", NOW - timedelta(minutes=10)),
        ("2h ago", NOW - timedelta(hours=2)),
        ("15 minutes ago", NOW - timedelta(minutes=15)),
        ("1 hour ago", NOW - timedelta(hours=1)),
        ("90s ago", NOW - timedelta(seconds=90)),
        ("1h30m ago", NOW - timedelta(minutes=90)),
        ("1 hour 30 mins ago", NOW - timedelta(minutes=90)),
        ("an hour ago", NOW - timedelta(hours=1)),
        ("a day ago", NOW - timedelta(days=1)),
        ("2 weeks ago", NOW - timedelta(weeks=2)),
        ("365 days ago", NOW - timedelta(days=365)),
    ],
)
def test_each_accepted_form_reads_as_the_moment_a_person_means(text: str, expected: datetime) -> None:
    result = moment(text)
    assert result == expected
    assert result.utcoffset() == timedelta(0)


def test_a_bare_clock_time_later_than_now_means_yesterday() -> None:
    # 16:30 Paris has not happened yet today (it is 16:00 there), so people mean yesterday's.
    assert moment("16:30") == utc(2026, 11, 28, 15, 30)


def test_a_bare_clock_time_equal_to_now_is_today() -> None:
    assert moment("16:00") == NOW


def test_backdated_detection_is_read_in_the_users_timezone() -> None:
    assert moment("14:05", tz=NEW_YORK) == utc(2026, 11, 29, 19, 5) - timedelta(days=1)
    assert moment("09:05", tz=NEW_YORK) == utc(2026, 11, 29, 14, 5)
    assert moment("14:05", tz=UTC_ZONE) == utc(2026, 11, 29, 14, 5)


def test_a_bare_time_with_a_zone_is_the_latest_occurrence_in_that_zone() -> None:
    # It is 15:00 UTC: 15:30 UTC is later, so yesterday's 15:30 UTC, whatever the user's zone.
    assert moment("15:30 UTC", tz=KOLKATA) == utc(2026, 11, 28, 15, 30)


def test_kolkata_half_hour_offset_is_applied() -> None:
    assert moment("14:05", tz=KOLKATA) == utc(2026, 11, 29, 8, 35)
    assert moment("yesterday 23:50", tz=KOLKATA) == utc(2026, 11, 28, 18, 20)


def test_auckland_local_day_is_already_tomorrow_in_utc() -> None:
    # 15:00 UTC on the 29th is 04:00 NZDT (+13) on the 30th in Auckland.
    assert moment("03:00", tz=AUCKLAND) == utc(2026, 11, 29, 14, 0)
    assert moment("14:05", tz=AUCKLAND) == utc(2026, 11, 29, 1, 5)
    assert moment("today 00:30", tz=AUCKLAND) == utc(2026, 11, 29, 11, 30)
    assert moment("yesterday 23:50", tz=AUCKLAND) == utc(2026, 11, 29, 10, 50)


# --- daylight saving ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tz", "now"),
    [
        ("02:30", NEW_YORK, utc(2026, 3, 8, 12, 0)),
        ("2026-03-08 02:30", NEW_YORK, utc(2026, 3, 8, 12, 0)),
        ("01:30", LONDON, utc(2026, 3, 29, 12, 0)),
        ("2026-03-29 01:15", LONDON, utc(2026, 3, 30, 12, 0)),
        ("2026-09-27 02:30", AUCKLAND, utc(2026, 9, 28, 0, 0)),
    ],
)
def test_a_wall_time_skipped_by_spring_forward_is_refused_with_advice(text: str, tz: ZoneInfo, now: datetime) -> None:
    with pytest.raises(TimeParseError, match="does not exist") as caught:
        parse_moment(text, now=now, tz=tz)
    assert "daylight saving" in str(caught.value)
    assert "UTC" in str(caught.value)
    assert "offset" in str(caught.value)


def test_a_skipped_wall_time_given_in_utc_is_accepted() -> None:
    assert parse_moment("2026-03-08 02:30 UTC", now=utc(2026, 3, 8, 12), tz=NEW_YORK) == utc(2026, 3, 8, 2, 30)


def test_a_skipped_wall_time_not_yet_reached_today_means_yesterday() -> None:
    # 01:15 EST on the 8th: today's 02:30 is both skipped and ahead, so yesterday's is meant.
    now = utc(2026, 3, 8, 6, 15)
    assert parse_moment("02:30", now=now, tz=NEW_YORK) == utc(2026, 3, 7, 7, 30)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 11, 1, 6, 45), utc(2026, 11, 1, 6, 30)),  # 01:45 EST: both passed, EST latest
        (utc(2026, 11, 1, 6, 10), utc(2026, 11, 1, 5, 30)),  # 01:10 EST: EST reading is ahead
        (utc(2026, 11, 1, 5, 45), utc(2026, 11, 1, 5, 30)),  # 01:45 EDT: first pass
        (utc(2026, 11, 1, 5, 15), utc(2026, 10, 31, 5, 30)),  # 01:15 EDT: both ahead, yesterday
    ],
)
def test_new_york_fall_back_reads_the_latest_occurrence_not_in_the_future(now: datetime, expected: datetime) -> None:
    assert parse_moment("01:30", now=now, tz=NEW_YORK) == expected


def test_london_fall_back_reads_the_latest_occurrence_not_in_the_future() -> None:
    later = utc(2026, 10, 25, 12, 0)
    assert parse_moment("2026-10-25 01:30", now=later, tz=LONDON) == utc(2026, 10, 25, 1, 30)
    during_first_pass = utc(2026, 10, 25, 0, 45)  # 01:45 BST
    assert parse_moment("01:30", now=during_first_pass, tz=LONDON) == utc(2026, 10, 25, 0, 30)


def test_europe_london_offsets_on_either_side_of_the_change() -> None:
    assert parse_moment("2026-03-28 12:00", now=NOW, tz=LONDON) == utc(2026, 3, 28, 12, 0)
    assert parse_moment("2026-03-30 12:00", now=NOW, tz=LONDON) == utc(2026, 3, 30, 11, 0)


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "garbage",
        "25:99",
        "24:00",
        "14:60",
        "13:05 pm",
        "0:30 am",
        "-10m ago",
        "10m",
        "14",
        "14h05",
        "in 10 minutes",
        "2026-02-30 14:05",
        "2026-11-29",
        "today",
        "14:05 +25:00",
        "14:05 Mars/Olympus_Mons",
        "14:05 tomorrow",
        "14:05\x00",
        "\x1b[31m14:05",
        "14:05\x1fUTC",
        "14:05 🔥",
        "１４:０５",  # noqa: RUF001 (full-width digits, refused on purpose)
        "9" * 101,
        "0001-01-01 00:00 +05:00",
        "9999-12-31 23:59 -05:00",
    ],
)
def test_unusable_text_is_refused_with_a_time_parse_error(text: str) -> None:
    with pytest.raises(TimeParseError):
        moment(text)


def test_the_refusal_names_what_was_typed_and_the_accepted_forms() -> None:
    with pytest.raises(TimeParseError) as caught:
        moment("half past two")
    message = str(caught.value)
    assert "half past two" in message
    assert "14:05 UTC" in message
    assert "10m ago" in message


def test_a_date_without_a_time_says_a_time_is_needed() -> None:
    with pytest.raises(TimeParseError, match="without a time of day"):
        moment("2026-11-29")


def test_a_future_moment_is_refused_showing_it_in_utc() -> None:
    with pytest.raises(TimeParseError, match="future") as caught:
        moment("2026-11-29 17:30")
    assert "2026-11-29 16:30 UTC" in str(caught.value)


@pytest.mark.parametrize("abbreviation", ["PST", "EST", "CET", "IST", "BST", "cst"])
def test_ambiguous_zone_abbreviations_are_refused_not_guessed(abbreviation: str) -> None:
    with pytest.raises(TimeParseError, match="more than one time zone") as caught:
        moment(f"14:05 {abbreviation}")
    assert abbreviation in str(caught.value)


def test_relative_amounts_beyond_a_year_are_refused() -> None:
    with pytest.raises(TimeParseError, match="more than a year"):
        moment("366 days ago")
    with pytest.raises(TimeParseError, match="more than a year"):
        moment("99999999999999999999999h ago")


def test_an_absolute_date_more_than_a_year_back_is_refused_as_a_typo() -> None:
    with pytest.raises(TimeParseError, match="more than a year"):
        moment("2025-11-01 14:05")


def test_text_over_a_hundred_characters_is_refused_as_too_long() -> None:
    with pytest.raises(TimeParseError, match="too long"):
        moment("14:05" + " " * 200 + "UTC" + "x" * 96)


def test_control_characters_are_not_echoed_raw_in_the_message() -> None:
    with pytest.raises(TimeParseError) as caught:
        moment("\x1b[2J14:05")
    assert "\x1b" not in str(caught.value)


def test_a_naive_now_is_a_programming_error_not_user_input() -> None:
    with pytest.raises(ValueError, match="naive") as caught:
        parse_moment("14:05", now=datetime(2026, 11, 29, 15, 0), tz=PARIS)  # noqa: DTZ001 (the naive time under test)
    assert not isinstance(caught.value, TimeParseError)


_FUZZ_PIECES = [
    "14:05",
    "2:05",
    "pm",
    "am",
    "utc",
    "Z",
    "+02:00",
    "-05",
    "2026-11-29",
    "T",
    "yesterday",
    "today",
    "now",
    "ago",
    "10m",
    "1h",
    "an",
    "hour",
    "Europe/Paris",
    "PST",
    "25:99",
    " ",
    "  ",
    ":",
    "-",
    "+",
    "/",
    ".",
    "0",
    "9",
    "\x00",
    "\t",
    "\u00a0",
    "🔥",
    "é",
    "Ω",
    "99999",
]


def _random_texts(count: int) -> list[str]:
    rng = random.Random(20261129)
    texts = []
    for _ in range(count):
        if rng.random() < 0.5:
            texts.append("".join(rng.choice(_FUZZ_PIECES) for _ in range(rng.randint(1, 5))))
        else:
            texts.append("".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 12))))
    return texts


def test_any_text_either_reads_as_an_aware_utc_moment_not_after_now_or_is_refused() -> None:
    readings = 0
    for text in _random_texts(3000):
        for tz in (PARIS, NEW_YORK, AUCKLAND):
            try:
                result = parse_moment(text, now=NOW, tz=tz)
            except TimeParseError:
                continue
            readings += 1
            assert result.utcoffset() == timedelta(0), text
            assert NOW - timedelta(days=366) < result <= NOW, text
    assert readings > 50  # the generator does produce real times, so the property is exercised


def test_any_text_after_at_either_splits_or_is_refused() -> None:
    for text in _random_texts(1000):
        try:
            at, note = parse_at_clause(text, now=NOW, tz=PARIS)
        except TimeParseError:
            continue
        assert at <= NOW
        assert at.utcoffset() == timedelta(0)
        assert note == note.strip()


def test_any_text_either_reads_as_a_due_date_in_range_or_is_refused() -> None:
    today = date(2026, 11, 29)
    for text in [*_random_texts(1000), "in 99999999999 days", "in 9999999 months", "0000-01-01"]:
        try:
            due = parse_due_date(text, today=today)
        except TimeParseError:
            continue
        assert today <= due <= date(2028, 11, 29)


# --- the `at` clause ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected", "note"),
    [
        ("14:05 UTC rolled back deploy", utc(2026, 11, 29, 14, 5), "rolled back deploy"),
        ("10m ago paged by alert", NOW - timedelta(minutes=10), "paged by alert"),
        ("2026-11-29 14:05 db failover", utc(2026, 11, 29, 13, 5), "db failover"),
        ("2026-11-29 2:05 pm UTC cache flushed", utc(2026, 11, 29, 14, 5), "cache flushed"),
        ("15 minutes ago", NOW - timedelta(minutes=15), ""),
        ("14:05", utc(2026, 11, 29, 13, 5), ""),
        ("14:05 +1 from on-call", utc(2026, 11, 29, 13, 5), "+1 from on-call"),
        ("9:00 am I paged the DBA", utc(2026, 11, 29, 8, 0), "I paged the DBA"),
        ("now   status page   updated ", NOW, "status page   updated"),
        ("yesterday 23:50 Europe/Paris first alert", utc(2026, 11, 28, 22, 50), "first alert"),
        ("14:05 🔥 everything", utc(2026, 11, 29, 13, 5), "🔥 everything"),
    ],
)
def test_the_at_clause_takes_the_longest_time_prefix_and_keeps_the_rest_as_the_note(
    words: str, expected: datetime, note: str
) -> None:
    assert parse_at_clause(words, now=NOW, tz=PARIS) == (expected, note)


def test_an_at_clause_with_no_time_names_its_first_words() -> None:
    with pytest.raises(TimeParseError, match="rolled back deploy") as caught:
        parse_at_clause("rolled back deploy", now=NOW, tz=PARIS)
    assert "start" in str(caught.value)


def test_an_at_clause_with_nothing_after_at_asks_for_a_time() -> None:
    with pytest.raises(TimeParseError, match="didn't give a time"):
        parse_at_clause("   ", now=NOW, tz=PARIS)


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("14:05 PST rolled back", "more than one time zone"),
        ("25:99 rolled back", "not a time of day"),
        ("2026-11-29 17:30 rolled back", "future"),
        ("2026-11-29 db failover", "without a time of day"),
        ("14:05 Europe/Pariss rolled back", "don't know the time zone"),
    ],
)
def test_an_at_clause_that_is_clearly_a_time_but_refused_is_not_misread_as_a_shorter_one(
    words: str, reason: str
) -> None:
    with pytest.raises(TimeParseError, match=reason):
        parse_at_clause(words, now=NOW, tz=PARIS)


# --- due dates ----------------------------------------------------------------------------------

TODAY = date(2026, 11, 25)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("2026-11-25", TODAY),
        ("today", TODAY),
        ("Tomorrow", date(2026, 11, 26)),
        ("in 3 days", date(2026, 11, 28)),
        ("in 1 day", date(2026, 11, 26)),
        ("in 2 weeks", date(2026, 12, 9)),
        ("in a week", date(2026, 12, 2)),
        ("in 2 months", date(2027, 1, 25)),
        ("friday", date(2026, 11, 27)),
        ("Fri", date(2026, 11, 27)),
        ("thursday", date(2026, 11, 26)),
        ("wednesday", date(2026, 12, 2)),  # today's weekday means a week from today
        ("monday", date(2026, 11, 30)),
        ("next monday", date(2026, 11, 30)),
        ("next  friday", date(2026, 11, 27)),
        ("2028-11-25", date(2028, 11, 25)),
    ],
)
def test_each_due_date_form_reads_as_the_date_a_person_means(text: str, expected: date) -> None:
    assert parse_due_date(text, today=TODAY) == expected


def test_a_due_date_in_the_past_is_refused_with_both_dates() -> None:
    with pytest.raises(TimeParseError, match="in the past") as caught:
        parse_due_date("2026-11-24", today=TODAY)
    assert "2026-11-24" in str(caught.value)
    assert "2026-11-25" in str(caught.value)


@pytest.mark.parametrize("text", ["2028-11-26", "in 200 weeks", "in 25 months", "in 10000000000 days"])
def test_a_due_date_more_than_two_years_ahead_is_refused(text: str) -> None:
    with pytest.raises(TimeParseError, match="two years"):
        parse_due_date(text, today=TODAY)


@pytest.mark.parametrize("text", ["", "soon", "next", "funday", "2026-13-01", "in -3 days", "eow", "in 3", "fri\x00"])
def test_a_due_date_that_is_not_a_date_is_refused(text: str) -> None:
    with pytest.raises(TimeParseError):
        parse_due_date(text, today=TODAY)


def test_due_date_refusal_names_what_was_typed_and_the_accepted_forms() -> None:
    with pytest.raises(TimeParseError) as caught:
        parse_due_date("whenever", today=TODAY)
    assert "whenever" in str(caught.value)
    assert "next monday" in str(caught.value)


@pytest.mark.parametrize(
    ("words", "expected", "text"),
    [
        ("friday fix the db alert", date(2026, 11, 27), "fix the db alert"),
        ("next monday write the runbook", date(2026, 11, 30), "write the runbook"),
        ("in 2 weeks add a canary stage", date(2026, 12, 9), "add a canary stage"),
        ("2026-12-01 rotate keys", date(2026, 12, 1), "rotate keys"),
        ("tomorrow", date(2026, 11, 26), ""),
    ],
)
def test_the_due_prefix_takes_the_longest_date_and_keeps_the_rest_as_the_item(
    words: str, expected: date, text: str
) -> None:
    assert parse_due_prefix(words, today=TODAY) == (expected, text)


def test_a_due_prefix_in_the_past_is_refused_rather_than_skipped() -> None:
    with pytest.raises(TimeParseError, match="in the past"):
        parse_due_prefix("2020-01-01 fix the db", today=TODAY)


def test_a_due_prefix_with_no_date_names_its_first_words() -> None:
    with pytest.raises(TimeParseError, match="fix the db"):
        parse_due_prefix("fix the db alert", today=TODAY)


# --- display ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "tz", "shown"),
    [
        (utc(2026, 11, 29, 14, 5), PARIS, "2026-11-29 14:05 UTC (15:05 CET)"),
        (utc(2026, 7, 1, 14, 5), PARIS, "2026-07-01 14:05 UTC (16:05 CEST)"),
        (utc(2026, 11, 29, 14, 5, 30), NEW_YORK, "2026-11-29 14:05:30 UTC (09:05:30 EST)"),
        (utc(2026, 11, 29, 23, 30), KOLKATA, "2026-11-29 23:30 UTC (2026-11-30 05:00 IST)"),
        (utc(2026, 11, 29, 14, 5), AUCKLAND, "2026-11-29 14:05 UTC (2026-11-30 03:05 NZDT)"),
        (utc(2026, 11, 29, 14, 5), LONDON, "2026-11-29 14:05 UTC (14:05 GMT)"),
        (utc(2026, 11, 29, 14, 5), ZoneInfo("America/Sao_Paulo"), "2026-11-29 14:05 UTC (11:05 UTC-03:00)"),
        (utc(2026, 11, 29, 14, 5), UTC_ZONE, "2026-11-29 14:05 UTC"),
    ],
)
def test_format_local_shows_utc_and_the_users_local_time(at: datetime, tz: ZoneInfo, shown: str) -> None:
    assert format_local(at, tz) == shown


def test_format_local_reads_any_aware_input_as_the_same_instant() -> None:
    at = datetime(2026, 11, 29, 15, 5, tzinfo=PARIS)
    assert format_local(at, PARIS) == "2026-11-29 14:05 UTC (15:05 CET)"


def test_format_local_of_a_parsed_moment_round_trips_the_local_time() -> None:
    assert format_local(moment("yesterday 23:50"), PARIS) == "2026-11-28 22:50 UTC (23:50 CET)"
