"""Tests for claimtrack.domain.dates.

Expected values are worked out by hand from a fixed ``now``:
Wednesday 2023-11-22 15:30 UTC, which is 10:30 EST in New York.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from dateutil import tz as du_tz
from hypothesis import assume, given
from hypothesis import strategies as st

from claimtrack.domain.dates import (
    parse_date,
    to_utc,
    user_timezone,
    utcnow,
)
from claimtrack.domain.datefmt import format_date, format_datetime, humanize_delta
from claimtrack.domain.errors import InvalidInput

NY = ZoneInfo("America/New_York")
UTC = timezone.utc
NOW = datetime(2023, 11, 22, 15, 30, tzinfo=UTC)  # a Wednesday
EOD = (23, 59, 59, 999999)


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def parse_ny(text: str, role: str = "at") -> datetime:
    return parse_date(text, role=role, now=NOW, tz=NY)


def assert_utc(dt: datetime) -> None:
    assert dt.tzinfo is not None and dt.utcoffset() == timedelta(0)


# ------------------------------------------------------------- vocabulary

# text -> (made/at, due), both in New York wall time
VOCABULARY = {
    "today": (ny(2023, 11, 22), ny(2023, 11, 22, *EOD)),
    "TODAY": (ny(2023, 11, 22), ny(2023, 11, 22, *EOD)),
    "yesterday": (ny(2023, 11, 21), ny(2023, 11, 21, *EOD)),
    "tomorrow": (ny(2023, 11, 23), ny(2023, 11, 23, *EOD)),
    "in 3 months": (ny(2024, 2, 22, 10, 30), ny(2024, 2, 22, *EOD)),
    "in 2 weeks": (ny(2023, 12, 6, 10, 30), ny(2023, 12, 6, *EOD)),
    "in 10 days": (ny(2023, 12, 2, 10, 30), ny(2023, 12, 2, *EOD)),
    "in 1 year": (ny(2024, 11, 22, 10, 30), ny(2024, 11, 22, *EOD)),
    "in a week": (ny(2023, 11, 29, 10, 30), ny(2023, 11, 29, *EOD)),
    "3 days ago": (ny(2023, 11, 19, 10, 30), ny(2023, 11, 19, *EOD)),
    "2 weeks ago": (ny(2023, 11, 8, 10, 30), ny(2023, 11, 8, *EOD)),
    "2w": (ny(2023, 12, 6, 10, 30), ny(2023, 12, 6, *EOD)),
    "3d": (ny(2023, 11, 25, 10, 30), ny(2023, 11, 25, *EOD)),
    "1m": (ny(2023, 12, 22, 10, 30), ny(2023, 12, 22, *EOD)),
    "1y": (ny(2024, 11, 22, 10, 30), ny(2024, 11, 22, *EOD)),
    "3wks": (ny(2023, 12, 13, 10, 30), ny(2023, 12, 13, *EOD)),
    "10days": (ny(2023, 12, 2, 10, 30), ny(2023, 12, 2, *EOD)),
    "10 Days": (ny(2023, 12, 2, 10, 30), ny(2023, 12, 2, *EOD)),
    "friday": (ny(2023, 11, 24), ny(2023, 11, 24, *EOD)),
    "Fri": (ny(2023, 11, 24), ny(2023, 11, 24, *EOD)),
    "next monday": (ny(2023, 11, 27), ny(2023, 11, 27, *EOD)),
    "wednesday": (ny(2023, 11, 29), ny(2023, 11, 29, *EOD)),  # never today
    "last wednesday": (ny(2023, 11, 15), ny(2023, 11, 15, *EOD)),
    "last friday": (ny(2023, 11, 17), ny(2023, 11, 17, *EOD)),
    "2024-03-05": (ny(2024, 3, 5), ny(2024, 3, 5, *EOD)),
    "2024-3-5": (ny(2024, 3, 5), ny(2024, 3, 5, *EOD)),
    "2024-03": (ny(2024, 3, 1), ny(2024, 3, 31, *EOD)),
    "2023": (ny(2023, 1, 1), ny(2023, 12, 31, *EOD)),
    "Nov 18 2023": (ny(2023, 11, 18), ny(2023, 11, 18, *EOD)),
    "18 November 2023": (ny(2023, 11, 18), ny(2023, 11, 18, *EOD)),
    "November 18, 2023": (ny(2023, 11, 18), ny(2023, 11, 18, *EOD)),
    "Nov 2023": (ny(2023, 11, 1), ny(2023, 11, 30, *EOD)),
    "Friday Nov 17 2023": (ny(2023, 11, 17), ny(2023, 11, 17, *EOD)),
    "12/31/11": (ny(2011, 12, 31), ny(2011, 12, 31, *EOD)),
    "12/31/2011": (ny(2011, 12, 31), ny(2011, 12, 31, *EOD)),
    "1/2/99": (ny(1999, 1, 2), ny(1999, 1, 2, *EOD)),
}


@pytest.mark.parametrize("text", list(VOCABULARY))
def test_vocabulary(text: str) -> None:
    start, end = VOCABULARY[text]
    for role in ("made", "at"):
        result = parse_ny(text, role)
        assert_utc(result)
        assert result == start, role
    due = parse_ny(f"  {text} ", "due")
    assert_utc(due)
    assert due == end


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("eow", ny(2023, 11, 26, *EOD)),  # Sunday
        ("eom", ny(2023, 11, 30, *EOD)),
        ("eoq", ny(2023, 12, 31, *EOD)),
        ("eoy", ny(2023, 12, 31, *EOD)),
        ("EOD", ny(2023, 11, 22, *EOD)),
        ("end of month", ny(2023, 11, 30, *EOD)),
        ("end of week", ny(2023, 11, 26, *EOD)),
    ],
)
def test_period_ends_ignore_the_role(text: str, expected: datetime) -> None:
    for role in ("made", "due", "at"):
        assert parse_ny(text, role) == expected


@pytest.mark.parametrize(
    ("today", "eow", "eoq"),
    [
        (date(2023, 11, 26), date(2023, 11, 26), date(2023, 12, 31)),  # a Sunday
        (date(2023, 11, 27), date(2023, 12, 3), date(2023, 12, 31)),
        (date(2024, 2, 10), date(2024, 2, 11), date(2024, 3, 31)),
        (date(2024, 4, 1), date(2024, 4, 7), date(2024, 6, 30)),
        (date(2024, 9, 30), date(2024, 10, 6), date(2024, 9, 30)),
    ],
)
def test_week_and_quarter_ends(today: date, eow: date, eoq: date) -> None:
    now = datetime(today.year, today.month, today.day, 12, tzinfo=UTC)
    assert parse_date("eow", now=now, tz=UTC) == datetime(*eow.timetuple()[:3], *EOD, tzinfo=UTC)
    assert parse_date("eoq", now=now, tz=UTC) == datetime(*eoq.timetuple()[:3], *EOD, tzinfo=UTC)


def test_now_is_now() -> None:
    for role in ("made", "due", "at"):
        assert parse_ny("now", role) == NOW
        assert parse_ny("NOW", role) == NOW


def test_the_user_zone_decides_what_today_is() -> None:
    late = datetime(2023, 11, 23, 3, 0, tzinfo=UTC)  # still the 22nd in New York
    assert parse_date("today", now=late, tz=NY) == ny(2023, 11, 22)
    assert parse_date("today", now=late, tz=UTC) == datetime(2023, 11, 23, tzinfo=UTC)
    assert parse_date("2023-11-22", role="due", tz=UTC) == datetime(2023, 11, 22, *EOD, tzinfo=UTC)


def test_calendar_months_clip_to_the_month_end() -> None:
    now = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)
    assert parse_date("1m", now=now, tz=UTC) == datetime(2024, 2, 29, 9, 0, tzinfo=UTC)
    leap = datetime(2024, 2, 29, 9, 0, tzinfo=UTC)
    assert parse_date("in 1 year", now=leap, tz=UTC) == datetime(2025, 2, 28, 9, 0, tzinfo=UTC)


def test_naive_now_is_taken_as_utc() -> None:
    assert parse_date("now", now=datetime(2023, 11, 22, 15, 30), tz=NY) == NOW


# ------------------------------------------------- days without a year


@pytest.mark.parametrize(
    ("text", "made", "at", "due"),
    [
        # now is Nov 22 2023
        ("Nov 18", date(2023, 11, 18), date(2023, 11, 18), date(2024, 11, 18)),
        ("Nov 22", date(2023, 11, 22), date(2023, 11, 22), date(2023, 11, 22)),
        ("Nov 30", date(2022, 11, 30), date(2023, 11, 30), date(2023, 11, 30)),
        ("Dec 25", date(2022, 12, 25), date(2023, 12, 25), date(2023, 12, 25)),
        ("March 3", date(2023, 3, 3), date(2023, 3, 3), date(2024, 3, 3)),
        ("11/30", date(2022, 11, 30), date(2023, 11, 30), date(2023, 11, 30)),
        ("11/18", date(2023, 11, 18), date(2023, 11, 18), date(2024, 11, 18)),
    ],
)
def test_days_without_a_year(text: str, made: date, at: date, due: date) -> None:
    assert parse_ny(text, "made") == ny(made.year, made.month, made.day)
    assert parse_ny(text, "at") == ny(at.year, at.month, at.day)
    assert parse_ny(text, "due") == ny(due.year, due.month, due.day, *EOD)


@given(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)),  # a leap year
)
def test_made_never_in_the_future_due_never_in_the_past(now: datetime, day: date) -> None:
    text = day.strftime("%b %d")
    now = now.replace(tzinfo=UTC)
    try:
        made = parse_date(text, role="made", now=now, tz=UTC)
        due = parse_date(text, role="due", now=now, tz=UTC)
    except InvalidInput:
        assert (day.month, day.day) == (2, 29)  # no Feb 29 in the chosen year
        return
    assert made.date() <= now.date() and made.date() > now.date() - timedelta(days=366)
    assert due.date() >= now.date() and due.date() < now.date() + timedelta(days=366)
    assert (made.month, made.day) == (due.month, due.day) == (day.month, day.day)


# --------------------------------------------------------- explicit times


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-11-27 7:44 AM", datetime(2023, 11, 27, 12, 44, tzinfo=UTC)),
        ("2023-11-27 7:44 pm", datetime(2023, 11, 28, 0, 44, tzinfo=UTC)),
        ("2023-11-27 12:05 am", datetime(2023, 11, 27, 5, 5, tzinfo=UTC)),
        ("2023-11-27 19:44", datetime(2023, 11, 28, 0, 44, tzinfo=UTC)),
        ("2023-11-27T19:44:30.5", datetime(2023, 11, 28, 0, 44, 30, 500000, tzinfo=UTC)),
        ("2024-01-01T10:00:00+02:00", datetime(2024, 1, 1, 8, 0, tzinfo=UTC)),
        ("2024-01-01T10:00:00-0530", datetime(2024, 1, 1, 15, 30, tzinfo=UTC)),
        ("2024-01-01T10:00:00Z", datetime(2024, 1, 1, 10, 0, tzinfo=UTC)),
        ("2024-01-01 10:00 UTC", datetime(2024, 1, 1, 10, 0, tzinfo=UTC)),
        ("12/31/2011 5pm", datetime(2011, 12, 31, 22, 0, tzinfo=UTC)),
        ("Nov 18 2023 3pm", datetime(2023, 11, 18, 20, 0, tzinfo=UTC)),
        ("Nov 18 2023 3pm UTC", datetime(2023, 11, 18, 15, 0, tzinfo=UTC)),
        ("18 November 2023, 5:15 pm", datetime(2023, 11, 18, 22, 15, tzinfo=UTC)),
        ("Nov 18, 2023 at 09:00 +01:00", datetime(2023, 11, 18, 8, 0, tzinfo=UTC)),
    ],
)
def test_explicit_times_ignore_the_role(text: str, expected: datetime) -> None:
    for role in ("made", "due", "at"):
        result = parse_ny(text, role)
        assert_utc(result)
        assert result == expected, role


# ------------------------------------------------------------ DST changes


def test_dst_spring_forward_new_york() -> None:
    # 2024-03-10: clocks jump from 02:00 EST to 03:00 EDT.
    assert parse_date("2024-03-10", tz=NY) == datetime(2024, 3, 10, 5, 0, tzinfo=UTC)
    due = parse_date("2024-03-10", role="due", tz=NY)
    assert due == datetime(2024, 3, 11, 3, 59, 59, 999999, tzinfo=UTC)  # EDT
    # 02:30 does not exist; it moves forward by the gap to 03:30 EDT
    assert parse_date("2024-03-10 2:30 AM", tz=NY) == datetime(2024, 3, 10, 7, 30, tzinfo=UTC)
    # a relative day keeps the wall-clock time, so it is 23 hours long here
    before = datetime(2024, 3, 9, 15, 30, tzinfo=UTC)  # 10:30 EST
    assert parse_date("1d", now=before, tz=NY) == datetime(2024, 3, 10, 14, 30, tzinfo=UTC)


def test_dst_fall_back_new_york() -> None:
    # 2024-11-03: 01:00-02:00 happens twice; the first (EDT) is meant.
    assert parse_date("2024-11-03 1:30 AM", tz=NY) == datetime(2024, 11, 3, 5, 30, tzinfo=UTC)
    made = parse_date("2024-11-03", role="made", tz=NY)
    due = parse_date("2024-11-03", role="due", tz=NY)
    assert made == datetime(2024, 11, 3, 4, 0, tzinfo=UTC)
    assert due == datetime(2024, 11, 4, 4, 59, 59, 999999, tzinfo=UTC)
    assert due - made == timedelta(hours=25) - timedelta(microseconds=1)


def test_midnight_that_does_not_exist() -> None:
    # Chile moved clocks from 24:00 to 01:00 on 2023-09-03: the day starts at 01:00.
    santiago = ZoneInfo("America/Santiago")
    start = parse_date("2023-09-03", role="made", tz=santiago)
    assert start == datetime(2023, 9, 3, 4, 0, tzinfo=UTC)
    assert format_datetime(start, santiago) == "2023-09-03 01:00"
    previous_end = parse_date("2023-09-02", role="due", tz=santiago)
    assert previous_end < start


# ------------------------------------------------------------- rejections


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banana",
        "banana 5",
        "5",
        "2023-02-30",
        "2023-13-01",
        "2023-00-10",
        "31/31/2020",
        "13/12/2020",  # day-first is refused, never swapped
        "2/30",
        "in -3 days",
        "in three days",
        "-3d",
        "tomorrow-ish",
        "tomorrow 5",
        "3 fortnights",
        "in 2 lightyears",
        "next",
        "next month-ish",
        "march",
        "Nov",
        "Nov 31 2023",
        "Friday Nov 18 2023",  # Nov 18 2023 was a Saturday
        "Nov 18 2023 banana",
        "Nov 18 2023 10:00 EST",  # zone abbreviations are ambiguous
        "2024-03-05 5",
        "2024-03-05 25:00",
        "2024-03-05 13:00 pm",
        "2024-03-05 10:61",
        "2024-01-01T10:00:00+25:00",
        "1700000000000",  # epoch milliseconds are for importers
        "20240305",
        "0000-01-01",
        "in 999999 years",
        "marathon 5",
    ],
)
def test_rejections(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_ny(text)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("invalid date ")
    assert "YYYY-MM-DD" in message and "eom" in message
    assert repr(text.strip()) in message


def test_rejection_message_example() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_ny("2023-02-30")
    assert str(info.value).startswith("invalid date '2023-02-30': ")
    assert str(info.value).endswith(
        "use YYYY-MM-DD, 'Nov 18 2023', today, tomorrow, 'in 3 months', 2w, eom or eoy"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-30", "no such day"),
        ("Feb 30 2023", "no such day"),
        ("2023-02-29T10:00", "no such day"),
        ("Friday Nov 18 2023", "2023-11-18 is a Saturday"),
        ("Nov 18 2023 10:00 EST", "unknown time zone 'EST', give an offset like +02:00;"),
    ],
)
def test_rejection_reasons(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_ny(text)
    message = str(info.value)
    assert message.startswith(f"invalid date {text!r}: {reason}")
    assert message.endswith("2w, eom or eoy") and "\n" not in message


def test_unknown_role_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        parse_date("today", role="soon", now=NOW, tz=NY)  # type: ignore[arg-type]


# ------------------------------------------------------------ user zone


def test_user_timezone_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLAIMTRACK_TZ", "Asia/Tokyo")
    assert user_timezone() == ZoneInfo("Asia/Tokyo")
    # Tokyo is UTC+9 all year
    assert parse_date("2024-06-01 09:00") == datetime(2024, 6, 1, 0, 0, tzinfo=UTC)
    assert format_date(datetime(2024, 6, 1, 20, 0, tzinfo=UTC)) == "2024-06-02"


def test_user_timezone_bad_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("Mars/Olympus_Mons", "../etc/passwd"):
        monkeypatch.setenv("CLAIMTRACK_TZ", bad)
        with pytest.raises(InvalidInput, match="CLAIMTRACK_TZ"):
            user_timezone()


def test_user_timezone_defaults_to_local(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAIMTRACK_TZ", raising=False)
    assert isinstance(user_timezone(), du_tz.tzlocal)


# ------------------------------------------------------ utc helpers


def test_to_utc_and_utcnow() -> None:
    assert to_utc(datetime(2024, 1, 1, 12)) == datetime(2024, 1, 1, 12, tzinfo=UTC)
    assert to_utc(datetime(2024, 1, 1, 12)).tzinfo is UTC
    converted = to_utc(ny(2024, 1, 1, 12))
    assert converted.tzinfo is UTC and converted.hour == 17
    before = datetime.now(UTC)
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


# ------------------------------------------------------------ formatting


def test_format_date_and_datetime() -> None:
    moment = datetime(2024, 3, 5, 3, 7, tzinfo=UTC)  # still March 4th in New York
    assert format_date(moment, UTC) == "2024-03-05"
    assert format_date(moment, NY) == "2024-03-04"
    assert format_datetime(moment, NY) == "2024-03-04 22:07"
    assert format_datetime(moment, UTC) == "2024-03-05 03:07"
    assert format_date(datetime(2024, 3, 5, 3, 7), UTC) == "2024-03-05"  # naive = UTC
    assert format_date(parse_ny("2024-03-05", "due"), NY) == "2024-03-05"


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0, "today"),
        (1, "in 1d"),
        (3, "in 3d"),
        (-5, "5d ago"),
        (13, "in 13d"),
        (14, "in 2w"),
        (-20, "2w ago"),
        (59, "in 8w"),
        (60, "in 2mo"),
        (-100, "3mo ago"),
        (729, "in 24mo"),
        (730, "in 2y"),
        (-1200, "3y ago"),
    ],
)
def test_humanize_delta(days: int, text: str) -> None:
    assert humanize_delta(NOW + timedelta(days=days), NOW, tz=UTC) == text


def test_humanize_delta_counts_calendar_days_in_the_zone() -> None:
    # 15:30 UTC -> 23:00 UTC is the same day in UTC but also in New York
    assert humanize_delta(NOW.replace(hour=23), NOW, tz=UTC) == "today"
    # 03:00 UTC next day is tomorrow in UTC but still today in New York
    later = datetime(2023, 11, 23, 3, 0, tzinfo=UTC)
    assert humanize_delta(later, NOW, tz=UTC) == "in 1d"
    assert humanize_delta(later, NOW, tz=NY) == "today"


# ------------------------------------------------------------- properties

ZONES = st.sampled_from(
    [UTC, NY, ZoneInfo("Europe/London"), ZoneInfo("Asia/Kolkata"), ZoneInfo("America/Santiago"),
     ZoneInfo("Australia/Lord_Howe"), ZoneInfo("Pacific/Kiritimati")]
)
NOWS = st.datetimes(min_value=datetime(1980, 1, 1), max_value=datetime(2150, 1, 1)).map(
    lambda d: d.replace(tzinfo=UTC)
)
TOKENS = st.sampled_from(
    ["2023", "11", "18", "-", "/", ":", "T", " ", "Nov", "may", "friday", "next", "last", "in",
     "ago", "3", "d", "w", "m", "y", "days", "am", "pm", "Z", "+02:00", "UTC", "EST", "today",
     "eom", "a", ",", "at", "of", "0", "99", "2024-03-05", "10:00", "banana", "ish", "."]
)


def _check_total(text: str, role: str, now: datetime, tz) -> None:
    try:
        result = parse_date(text, role=role, now=now, tz=tz)
    except InvalidInput as error:
        assert "\n" not in str(error)
        return
    assert_utc(result)


@given(st.text(), st.sampled_from(["made", "due", "at"]), NOWS, ZONES)
def test_any_text_parses_or_raises_invalid_input(text, role, now, tz) -> None:
    _check_total(text, role, now, tz)


@given(st.lists(TOKENS, max_size=6).map("".join), st.sampled_from(["made", "due", "at"]), NOWS, ZONES)
def test_date_like_text_parses_or_raises_invalid_input(text, role, now, tz) -> None:
    _check_total(text, role, now, tz)


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.timezones()
    )
)
def test_iso_format_round_trips(dt: datetime) -> None:
    # compare in UTC: aware datetimes whose offset depends on ``fold`` never
    # compare equal across zones (PEP 495)
    assert parse_date(dt.isoformat(), tz=NY) == to_utc(dt)
    assert parse_date(dt.isoformat(sep=" "), tz=NY) == to_utc(dt)
    assert parse_date(dt.isoformat(timespec="seconds"), tz=NY) == to_utc(dt.replace(microsecond=0))


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)), ZONES)
def test_naive_iso_is_read_in_the_user_zone(dt: datetime, tz) -> None:
    aware = dt.replace(tzinfo=tz)
    assume(to_utc(aware).astimezone(tz).replace(tzinfo=None) == dt)  # exists, unambiguous
    assume(to_utc(aware.replace(fold=1)) == to_utc(aware))
    assert parse_date(dt.isoformat(), tz=tz) == aware


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2200, 1, 1)), ZONES, NOWS)
def test_due_is_the_end_of_the_day_made_is_the_start(day: date, tz, now) -> None:
    for text in (day.isoformat(), day.strftime("%b %d %Y"), f"{day.month}/{day.day}/{day.year}"):
        made = parse_date(text, role="made", now=now, tz=tz)
        due = parse_date(text, role="due", now=now, tz=tz)
        at = parse_date(text, role="at", now=now, tz=tz)
        assert made == at
        assert made < due <= made + timedelta(hours=26)
        assert format_date(made, tz) == format_date(due, tz) == day.isoformat()


@given(NOWS, ZONES, st.sampled_from(
    ["today", "tomorrow", "yesterday", "friday", "last monday", "2w", "in 3 months",
     "3 days ago", "2024-02", "2023", "Nov 18 2023", "eom", "now"]))
def test_due_never_precedes_made_for_the_same_text(now, tz, text) -> None:
    due = parse_date(text, role="due", now=now, tz=tz)
    assert due >= parse_date(text, role="made", now=now, tz=tz)


@given(NOWS, st.integers(min_value=0, max_value=5000))
def test_relative_days_in_utc(now: datetime, n: int) -> None:
    assert parse_date(f"{n}d", now=now, tz=UTC) == now + timedelta(days=n)
    assert parse_date(f"{n} days ago", now=now, tz=UTC) == now - timedelta(days=n)
    assert parse_date(f"in {n} weeks", now=now, tz=UTC) == now + timedelta(weeks=n)
