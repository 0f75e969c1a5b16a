"""How the feed writes times and ids: ISO-8601 text from epoch milliseconds, uuid4-shaped ids."""

from __future__ import annotations

from datetime import date, datetime

from clickstream_cli.sample_data.vocabulary import MINUTE_MS

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTES: dict[tuple[int, int], str] = {}


def iso(ms: int, offset_min: int = 0, suffix: str = "Z") -> str:
    """Epoch milliseconds as ISO-8601 local time with an offset suffix (datetime is too slow)."""
    minute, rest = divmod(ms, MINUTE_MS)
    prefix = _MINUTES.get((minute, offset_min))
    if prefix is None:
        day, minute_of_day = divmod(minute + offset_min, 24 * 60)
        day_text = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        prefix = f"{day_text}T{minute_of_day // 60:02d}:{minute_of_day % 60:02d}:"
        _MINUTES[(minute, offset_min)] = prefix
    seconds = f"{rest:05d}"  # "SSmmm"
    return f"{prefix}{seconds[:2]}.{seconds[2:]}{suffix}"


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def uuid_like(bits: int) -> str:
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[bits & 3]}{h[17:20]}-{h[20:32]}"
