"""Answers as JSON bytes: orjson when installed, the standard library for what orjson refuses."""
from __future__ import annotations

import json

from ftrack_orm.sandbox.encoding import encode_answer, encode_stdlib


def test_an_answer_reads_back_as_the_standard_library_writes_it():
    payload = [{"action": "query", "data": [{"__entity_type__": "Task", "id": "1", "name": "Zoë 日本",
                                             "bid": 1.5, "done": False, "parent": None, "n": -3}],
                "metadata": {"next": {"offset": None}}}]
    assert json.loads(encode_answer(payload)) == json.loads(encode_stdlib(payload)) == payload


def test_what_orjson_refuses_is_written_by_the_standard_library():
    for payload in ({"big": 2 ** 70}, {"text": "lone \ud800 surrogate"}, {1: "integer key"}):
        assert encode_answer(payload) == encode_stdlib(payload)
