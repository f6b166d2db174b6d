"""Dates as Hugo and Jekyll read them from front matter, and the time zone of the
blog's config (Jekyll's ``timezone:``, Hugo's ``timeZone``), which dates written
without an offset are in: the essay's date then carries that zone's offset at that
moment (``2024-01-01 08:00:00`` in Asia/Tokyo is ``2024-01-01T08:00:00+09:00``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# YYYY-MM-DD, then maybe a time (T or a space) and an offset (Z, +09:00, +0900, " +0900")
_DATE = re.compile(
    r"\s*(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6})\d*)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?\s*"
)


def zone(name: object) -> tzinfo | None:
    """The time zone a config names (``Asia/Tokyo``, ``UTC``), or None (none, or one
    this system does not know: the dates are then written as they are)."""
    if not isinstance(name, str) or not name.strip():
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse(value: object) -> tuple[datetime, bool, bool] | None:
    """(the moment, whether a time is written, whether an offset is) of a front-matter
    date, or None when it is not one.  Without an offset the moment is naive."""
    found = _DATE.fullmatch(value) if isinstance(value, str) else None
    if not found:
        return None
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    tz: tzinfo | None = None
    if offset:
        if offset == "Z":
            tz = timezone.utc
        else:
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
            tzinfo=tz,
        )
    except ValueError:
        return None  # a date that does not exist: the essay's check says so
    return moment, hour is not None, tz is not None


def in_zone(value: object, site_zone: tzinfo | None) -> object:
    """A date-time written without an offset, with the offset ``site_zone`` has at that
    moment; any other value as it is (a day, a date with its offset, not a date)."""
    parsed = parse(value) if site_zone is not None else None
    if parsed is None or not parsed[1] or parsed[2]:
        return value
    return parsed[0].replace(tzinfo=site_zone).isoformat()
