"""times: the one set of UTC/ISO rules (wire, query literals, sandbox columns, display)."""
from __future__ import annotations

import datetime as dt

import pytest

from ftrack_orm import times

UTC = dt.timezone.utc
CET = dt.timezone(dt.timedelta(hours=2))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2022-10-10T10:12:09", dt.datetime(2022, 10, 10, 10, 12, 9, tzinfo=UTC)),
        ("2022-10-10T10:12:09Z", dt.datetime(2022, 10, 10, 10, 12, 9, tzinfo=UTC)),
        ("2022-10-10T12:12:09+02:00", dt.datetime(2022, 10, 10, 10, 12, 9, tzinfo=UTC)),
        ("2022-10-10T10:12:09.5", dt.datetime(2022, 10, 10, 10, 12, 9, 500000, tzinfo=UTC)),
        ("2022-10-10 10:12:09.123456789Z", dt.datetime(2022, 10, 10, 10, 12, 9, 123456, tzinfo=UTC)),
        ("2022-10-10", dt.datetime(2022, 10, 10, tzinfo=UTC)),
    ],
)
def test_decode_datetime_is_aware_utc(text, expected):
    value = times.decode_datetime(text)
    assert value == expected
    assert value.utcoffset() == dt.timedelta(0)


def test_decode_rejects_other_text():
    with pytest.raises(ValueError):
        times.decode_datetime("whenever")


@pytest.mark.parametrize(
    "value, expected",
    [
        (dt.datetime(2024, 6, 1, 12, 0), dt.datetime(2024, 6, 1, 12, 0, tzinfo=UTC)),  # naive is UTC
        (dt.datetime(2024, 6, 1, 12, 0, tzinfo=CET), dt.datetime(2024, 6, 1, 10, 0, tzinfo=UTC)),
    ],
)
def test_to_utc(value, expected):
    converted = times.to_utc(value)
    assert converted == expected and converted.tzinfo is UTC


def test_date_to_utc_is_midnight():
    assert times.date_to_utc(dt.date(2024, 6, 1)) == dt.datetime(2024, 6, 1, tzinfo=UTC)
    assert times.date_to_utc(dt.datetime(2024, 6, 1, 12, tzinfo=CET)) == dt.datetime(2024, 6, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "value, text",
    [
        (dt.datetime(2024, 6, 1, 12, 30, 5, tzinfo=CET), "2024-06-01T10:30:05"),
        (dt.datetime(2024, 6, 1, 12, 0), "2024-06-01T12:00:00"),
        (dt.datetime(2024, 6, 1, 12, 0, 0, 250000), "2024-06-01T12:00:00.250000"),  # microseconds kept
    ],
)
def test_utc_text_and_wire_form(value, text):
    assert times.utc_text(value) == text
    assert times.encode_datetime(value) == {"__type__": "datetime", "value": text}
    assert times.decode_datetime(text) == times.to_utc(value)  # round trip, microseconds included


def test_dates():
    assert times.encode_date(dt.date(2024, 2, 29)) == {"__type__": "date", "value": "2024-02-29"}
    assert times.decode_date("2024-02-29") == dt.date(2024, 2, 29)
    assert times.date_text(dt.datetime(2024, 3, 1, 1, 0, tzinfo=CET)) == "2024-02-29"


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2024, 3, 1, 12, 30, 45, 123456, tzinfo=CET),
        "2024-03-01T12:30:45.123456+02:00",
        {"__type__": "datetime", "value": "2024-03-01T12:30:45.123456+02:00"},
    ],
)
def test_parse_datetime_takes_every_form(value):
    assert times.parse_datetime(value) == dt.datetime(2024, 3, 1, 10, 30, 45, 123456, tzinfo=UTC)


@pytest.mark.parametrize("value", [5, None, "soon", {"__type__": "datetime", "value": 3}])
def test_parse_datetime_refuses_other_values(value):
    with pytest.raises(ValueError):
        times.parse_datetime(value)


def test_is_iso_text():
    assert times.is_iso_text("2024-06-01") and times.is_iso_text("2024-06-01T10:00:00Z")
    assert not times.is_iso_text("tomorrow") and not times.is_iso_text(20240601)


@pytest.mark.parametrize("text", ["2024-06-01T09:30:00", "2024-06-01T09:30:00.250000", "2024-06-01",
                                  "2024-06-01T09:30:00Z", "2024-06-01T11:30:00+02:00", "2024-06-01 09:30"])
def test_fast_path_gives_what_parsing_then_converting_gives(text):
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    expected = parsed.replace(tzinfo=dt.timezone.utc) if parsed.tzinfo is None else parsed.astimezone(dt.timezone.utc)
    value = times.decode_datetime(text)
    assert value == expected and value.tzinfo is dt.timezone.utc
