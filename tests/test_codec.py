"""Codec: typed values both ways, entity references, the entity hook, merging occurrences."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from ftrack_orm import codec

from tests.support.data import RESPONSES, server_information_json

UTC = dt.timezone.utc


def roundtrip(value):
    return json.loads(codec.encode(value))


def test_aware_datetime_is_sent_in_utc():
    cet = dt.timezone(dt.timedelta(hours=2))
    value = dt.datetime(2024, 6, 1, 12, 30, 5, tzinfo=cet)
    assert roundtrip(value) == {"__type__": "datetime", "value": "2024-06-01T10:30:05"}


def test_naive_datetime_is_taken_as_utc():
    assert roundtrip(dt.datetime(2024, 6, 1, 12, 0)) == {"__type__": "datetime", "value": "2024-06-01T12:00:00"}


def test_date_is_sent_as_date():
    assert roundtrip(dt.date(2024, 6, 1)) == {"__type__": "date", "value": "2024-06-01"}


def test_entity_is_sent_as_reference():
    class FakeEntity:
        def _ftrack_reference(self):
            return {"__entity_type__": "Task", "id": "t1"}

    assert roundtrip({"parent": FakeEntity()}) == {"parent": {"__entity_type__": "Task", "id": "t1"}}


def test_unknown_type_is_a_clear_error():
    with pytest.raises(TypeError, match="object"):
        codec.encode({"x": object()})


def test_unicode_is_sent_as_utf8():
    assert codec.encode(["shot é"]).decode("utf-8") == '["shot é"]'


def test_decode_typed_values_in_a_real_response():
    body = (RESPONSES / "query_select_name_created_at_from_task_limit_1.json").read_bytes()
    result = codec.decode(body)
    created = result["data"][0]["created_at"]
    assert created == dt.datetime(2022, 10, 10, 10, 12, 9, tzinfo=UTC)
    assert codec.decode(b'{"__type__": "date", "value": "2024-02-29"}') == dt.date(2024, 2, 29)


def test_entity_hook_sees_entities_bottom_up():
    seen = []

    def hook(payload):
        seen.append((payload["__entity_type__"], type(payload.get("asset")).__name__))
        return ("entity", payload["__entity_type__"], payload["id"])

    body = (RESPONSES /
            "query_select_version_asset.versions.version_from_assetversion_where_asset_id_is_not_none_limit_1.json").read_bytes()
    result = codec.decode(body, hook)
    assert result["data"] == [("entity", "AssetVersion", "01ac528a-c5ea-11e1-a6c6-f23c91df25eb")]
    # the three nested versions come first, then the asset holding them, then the outer version
    assert [s[0] for s in seen] == ["AssetVersion"] * 3 + ["Asset", "AssetVersion"]
    assert seen[-1] == ("AssetVersion", "tuple")


def test_shared_responses_all_decode_with_entities_hooked():
    for path in RESPONSES.glob("*.json"):
        if path.name == "get_upload_metadata.json":
            continue  # the one answer without entities
        hooked: list = []
        codec.decode(path.read_bytes(), hooked.append)
        assert hooked, path.name
    assert server_information_json()["is_timezone_support_enabled"] is True


def test_a_marked_whole_object_hook_gets_every_object_unwrapped():
    from ftrack_orm import codec

    seen = []

    def hook(obj):
        seen.append(dict(obj))
        return codec.decode_typed(obj)

    decoded = codec.decode(b'[{"__type__": "date", "value": "2024-06-01"}, {"a": 1}]', codec.object_hook(hook))
    assert decoded[1] == {"a": 1} and str(decoded[0]) == "2024-06-01"
    assert seen == [{"__type__": "date", "value": "2024-06-01"}, {"a": 1}]


# -- the fast encoder (the "fast" extra): same bytes and same errors as the standard library --------------
def _stdlib(value):
    return json.dumps(value, default=codec._default, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":")).encode("utf-8")


def test_fast_encoder_writes_the_standard_library_bytes():
    pytest.importorskip("orjson")
    assert codec.encoder() == "orjson"
    payload = [{"action": "create", "entity_type": "Task",
                "entity_data": {"name": "shot é", "bid": 1.5, "priority": 3, "big": 2 ** 70, "tags": ("a", "b"),
                                "start_date": dt.datetime(2024, 6, 1, 12, tzinfo=UTC), "due": dt.date(2024, 6, 2),
                                "description": None, "done": False, "__entity_type__": "Task"}}]
    assert codec.encode(payload) == _stdlib(payload)


@pytest.mark.parametrize("value, error", [
    (float("nan"), ValueError), (float("inf"), ValueError), ("\ud800", ValueError), (object(), TypeError),
])
def test_fast_encoder_refuses_what_the_standard_library_refuses(value, error):
    pytest.importorskip("orjson")
    with pytest.raises(error):
        codec.encode([{"action": "update", "entity_data": {"x": value}}])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32-le"])
def test_text_decodes_a_body_as_json_loads_would(encoding):
    body = json.dumps([{"name": "shot_010 – é ✓", "__type__": "datetime", "value": "2026-01-02T03:04:05"}],
                      ensure_ascii=False).encode(encoding)
    text = codec.text(body)
    assert isinstance(text, str)
    assert codec.decode(text) == codec.decode(body) == json.loads(body, object_hook=codec.decode_typed)


def test_text_leaves_a_body_that_is_not_text_to_the_parser():
    body = b'[{"name": "\xff\xfe\xfd"}'
    assert codec.text(body) is body
    with pytest.raises(ValueError):
        codec.decode(codec.text(body))
