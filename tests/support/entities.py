"""Entity-layer helpers: decode wire JSON through an identity map (json.loads + object
hook, as the codec does it) and a counting test loader."""
from __future__ import annotations

import datetime as _dt
import json
from typing import Any, Dict, List, Sequence, Tuple

from ftrack_orm.entity.identity import IdentityMap
from tests.support.data import response_json

UTC = _dt.timezone.utc


def object_hook(entity_hook):
    def hook(obj: Dict[str, Any]) -> Any:
        if "__entity_type__" in obj:
            return entity_hook(obj)
        kind = obj.get("__type__")
        if kind == "datetime":
            return _dt.datetime.fromisoformat(obj["value"]).replace(tzinfo=UTC)
        if kind == "date":
            return _dt.date.fromisoformat(obj["value"])
        return obj

    return hook


def decode(identity_map: IdentityMap, data: Any) -> Any:
    """Decode ``data`` (JSON text or a JSON-able value) inside one result group."""
    text = data if isinstance(data, (str, bytes)) else json.dumps(data)
    with identity_map.result_group() as group:
        return json.loads(text, object_hook=object_hook(group.merge))


def load_response(identity_map: IdentityMap, name: str) -> Any:
    return decode(identity_map, json.dumps(response_json(name)))


class CountingLoader:
    """A loader answering from ``store`` (id -> full wire payload), counting calls.

    Answers like the server would to ``select <attrs> from T where id in (...)``:
    every asked entity with its type, id and the asked attributes (references as
    nested ``{"__entity_type__", "id"}`` objects), decoded through the identity map.
    """

    def __init__(self, identity_map: IdentityMap, store: Dict[str, Dict[str, Any]]) -> None:
        self.identity_map = identity_map
        self.store = store
        self.calls: List[Tuple[str, List[Any], List[str]]] = []
        identity_map.loader = self

    def load(self, entity_type: str, entities: Sequence[Any], attributes: Sequence[str]) -> None:
        self.calls.append((entity_type, list(entities), list(attributes)))
        rows = []
        for entity in entities:
            stored = self.store.get(entity._values.get("id") or entity.id)
            if stored is None:
                continue
            row = {"__entity_type__": stored["__entity_type__"], "id": stored["id"]}
            for name in attributes:
                if name in stored:
                    row[name] = _reference(stored[name], self.store)
            rows.append(row)
        decode(self.identity_map, {"data": rows})


def _reference(value: Any, store: Dict[str, Dict[str, Any]]) -> Any:
    if isinstance(value, dict) and "id" in value:
        return {"__entity_type__": value["__entity_type__"], "id": value["id"]}
    if isinstance(value, list):
        return [_reference(v, store) for v in value]
    return value
