"""Reconciling pending work with the server after a commit whose outcome is unknown.

A commit that failed in flight (:class:`~ftrack_orm.errors.OutcomeUnknownError`) or
a chunked commit that stopped half-way (:class:`~ftrack_orm.errors.PartialCommitError`)
leaves pending work that may already be on the server. Re-sending it blindly
would create duplicates (``UNIQUE constraint failed``) or delete twice; not
re-sending it could lose it. Creates can be checked because the client made
their ids: :func:`find_applied` asks the server, in ONE call (one query per entity
type and chunk of keys), which pending creates exist and which pending deletes
are gone. Updates need no check: re-sending their values is idempotent.

A create found on the server with the values it sent is settled (nothing to
send); one found with different values (changed locally since, or by someone
else) becomes an update of the differing values. The unit of work applies the
outcome to local state and sends only the rest.
"""
from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Mapping, Sequence, Tuple

import attrs

from . import operations as ops
from .entity.base import Entity
from .entity.identity import IdentityMap
from .entity.inspection import inspect
from .entity.state import same_value
from .plan import Change
from .query.render import render_value
from .steps import Call, Steps

#: Keys per query: keeps each expression short.
KEYS_PER_QUERY = 100


@attrs.frozen
class Applied:
    """What :func:`find_applied` learned about a list of pending changes.

    ``settled``: ``id()`` of the changes the server already has (a create found with
    the values it sent, a delete whose entity is gone). ``rewritten``: ``id()`` of a
    create found with other values -> the update that sends what differs.
    ``answered``: ``id(entity)`` -> the attributes the server answered (they keep
    the server's value when the entity is settled).
    """

    settled: FrozenSet[int] = frozenset()
    rewritten: Mapping[int, Change] = attrs.field(factory=dict)
    answered: Mapping[int, FrozenSet[str]] = attrs.field(factory=dict)

    @property
    def found(self) -> FrozenSet[int]:
        """``id()`` of every change the server already has, settled or rewritten."""
        return self.settled | frozenset(self.rewritten)


@attrs.frozen
class Reconciliation:
    """What a reconciliation settled: pending creates found on the server
    (``created``, not sent again), pending deletes already applied (``deleted``),
    the number of operations settled in all (mapped items such as metadata
    included), and the number still to send (``remaining``)."""

    created: Tuple[Entity, ...] = ()
    deleted: Tuple[Entity, ...] = ()
    operations: int = 0
    remaining: int = 0

    def __bool__(self) -> bool:
        return self.operations > 0

    def __str__(self) -> str:
        return (f"Reconciled with the server: {len(self.created)} pending create(s) found there, "
                f"{len(self.deleted)} pending delete(s) already applied, {self.operations} operation(s) "
                f"settled in all; {self.remaining} operation(s) still to send.")


def find_applied(identity_map: IdentityMap, changes: Sequence[Change]) -> Steps[Applied]:
    """Ask the server, in one call, which of ``changes`` it already has (see :class:`Applied`);
    as :mod:`~ftrack_orm.steps`.

    Only creates and deletes are checked. Answers are merged into ``identity_map``
    (server values only: pending changes stay as they are).
    """
    wanted: Dict[str, Dict[Tuple[Any, ...], Change]] = {}
    for change in changes:
        if change.action != "update" and None not in change.key:
            wanted.setdefault(change.entity_type, {})[tuple(change.key)] = change
    schemas = identity_map.schemas
    batch: List[Dict[str, Any]] = []
    asked: List[Tuple[Tuple[str, ...], Tuple[str, ...], Mapping[Tuple[Any, ...], Change]]] = []
    for entity_type, by_key in wanted.items():
        schema = schemas[entity_type]
        key_names = tuple(schema.primary_key)
        compared = tuple(sorted({
            name for change in by_key.values() if change.action == "create" for name in change.data
            if name in schema.attributes and schema.attributes[name].is_scalar and name not in key_names
        }))
        projections = ", ".join(key_names + compared)
        keys = list(by_key)
        for start in range(0, len(keys), KEYS_PER_QUERY):
            where = _matching(key_names, keys[start:start + KEYS_PER_QUERY])
            batch.append(ops.query(f"select {projections} from {entity_type} where {where}"))
            asked.append((key_names, compared, by_key))
    if not batch:
        return Applied()
    results = yield Call(batch, identity_map.merge)
    settled = {id(change) for changes_of_type in wanted.values() for change in changes_of_type.values()
               if change.action == "delete"}
    rewritten: Dict[int, Change] = {}
    answered: Dict[int, FrozenSet[str]] = {}
    for (key_names, compared, asked_keys), result in zip(asked, results):
        for row in result["data"]:
            server = inspect(row).server_values if isinstance(row, Entity) else row
            found = asked_keys.get(tuple(server.get(name) for name in key_names))
            if found is None:
                continue
            change = found
            if change.action == "delete":
                settled.discard(id(change))  # still there: the delete is sent
                continue
            if isinstance(row, Entity):
                answered[id(row)] = frozenset(key_names + compared)
            differing = _differing(change, server, compared, identity_map)
            if differing:
                rewritten[id(change)] = Change("update", change.entity_type, change.key, differing, change.entity,
                                               change.references, change.label)
            else:
                settled.add(id(change))
    return Applied(frozenset(settled), rewritten, answered)


def _differing(change: Change, server: Mapping[str, Any], compared: Sequence[str],
               identity_map: IdentityMap) -> Dict[str, Any]:
    """The values a create sent that the server holds otherwise (immutable ones left out)."""
    attributes = identity_map.schemas[change.entity_type].attributes
    return {
        name: value for name, value in change.data.items()
        if name in compared and not attributes[name].immutable and not same_value(server.get(name), value)
    }


def _matching(key_names: Sequence[str], keys: Sequence[Tuple[Any, ...]]) -> str:
    """Criteria matching any of ``keys``: ``id in (...)``, or key by key for composite keys."""
    if len(key_names) == 1:
        return f"{key_names[0]} in {render_value([key[0] for key in keys])}"
    return " or ".join(
        "(" + " and ".join(f"{name} is {render_value(value)}" for name, value in zip(key_names, key)) + ")"
        for key in keys
    )
