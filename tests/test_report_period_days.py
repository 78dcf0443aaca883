"""A resolution's period, looked up by its UTC day, is the period its local time falls in."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from claimtrack.services.report.periods import PeriodKeys, period_key, period_start

ZONES = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu", "America/St_Johns",
         "Australia/Lord_Howe", "Europe/London"]


@pytest.mark.parametrize("kind", ["month", "quarter", "year"])
@pytest.mark.parametrize("zone", ZONES)
def test_day_lookup_matches_the_local_calendar(kind, zone):
    tz = ZoneInfo(zone)
    keys = PeriodKeys(kind, tz)
    rng = random.Random(f"{kind}{zone}")
    start = datetime(2019, 1, 1, tzinfo=timezone.utc)
    instants = [start + timedelta(seconds=rng.randrange(0, 6 * 365 * 86400)) for _ in range(3000)]
    # every instant of a few whole days around period starts, too
    for month in range(1, 13):
        day = datetime(2023, month, 1, tzinfo=timezone.utc)
        instants += [day + timedelta(minutes=m) for m in range(-36 * 60, 36 * 60, 17)]
    for when in instants:
        local = when.astimezone(tz).date()
        expected = period_key(period_start(local, kind), kind)
        assert keys.key(when) == expected, when
        start_, end_ = keys.bounds[expected]
        assert start_ <= when < end_
