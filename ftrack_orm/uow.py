"""The unit of work: pending changes → ONE batched, ordered, all-or-nothing call.

It reads what the entities recorded (the identity map's change sets: new, dirty,
deleted; attributes never call the session), turns it into :class:`Change`
records, lets :func:`~ftrack_orm.plan.plan_commit` merge and order them, and sends
the operations in one ``call``. Merging falls out of the state model: an entity
holds one current value per attribute, so a create followed by updates is one
create, several updates are one update with only the changed attributes, and a
create followed by a delete sends nothing.

The unit of work gathers, plans and sends; what the server confirmed is applied to
local state in one place, the identity map's ``apply_commit`` (see
:mod:`ftrack_orm.entity.lifecycle`). Entities are marked clean only after the server confirmed. If the call fails for
any reason (validation, permission, network, unknown outcome), nothing local has
changed: every pending change and entity is exactly as before, so the user can
fix the problem and commit again. The server's batches are all-or-nothing, which
is what makes that safe.

Collections: ``shot.children.append(task)`` is sent as ``task.parent_id = shot.id``
(the server stores one-to-many collections as the items' foreign key; the schemas
tell which, see :mod:`ftrack_orm.relations`). After such a move lands, the item's
old owner keeps its loaded collection until it is next queried, unless the item's
foreign key was loaded (then the old owner is found and updated).

Threads: :meth:`UnitOfWork.commit` holds a lock from gathering to applying the
answer, so concurrent commits on one session serialize and a commit that waited
sends only what is still pending then. Recording changes to the same entities from
several threads at once is not supported.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import attrs

from . import answers, gcpause, reconcile
from . import operations as ops
from .entity.base import Entity
from .entity.changes import mapped_changes, primary_key, split_changes
from .entity.collections import collection_diff
from .entity.identity import IdentityMap
from .entity.inspection import inspect
from .entity.lifecycle import LandedCommit, Move
from .errors import OutcomeUnknownError, PartialCommitError, PartialCommitOutcomeUnknownError, ServerError
from .plan import Change, CommitPlan, plan_commit
from .reconcile import Reconciliation
from .relations import Relations
from .steps import Call, Steps, run

if TYPE_CHECKING:  # pragma: no cover
    from .client import WireClient


@attrs.frozen
class CommitResult:
    """What a commit sent: operations per action and the number of calls."""

    counts: Mapping[str, int] = attrs.field(factory=lambda: {"create": 0, "update": 0, "delete": 0})
    calls: int = 0
    #: What the commit settled first, after an earlier unknown outcome (else ``None``).
    reconciled: Optional[Reconciliation] = None

    @property
    def operations(self) -> int:
        return sum(self.counts.values())

    def __bool__(self) -> bool:
        return self.operations > 0


@attrs.frozen
class Pending:
    """What one gathering found: the change records, the entities each record settles
    (by ``id`` of the record, a tuple), the items moved between collections (item ->
    (foreign key, collection)), and entities clean once the commit lands although
    nothing is sent for them (a collection only re-ordered)."""

    changes: Tuple[Change, ...]
    owners: Mapping[int, Sequence[Entity]]
    moved: Mapping[Entity, Tuple[str, str]]
    unsent: Tuple[Entity, ...]


class UnitOfWork:
    """Plans and sends the pending changes of one session's identity map."""

    def __init__(self, client: WireClient, identity_map: IdentityMap) -> None:
        self._client = client
        self._map = identity_map
        self._relation_table: Optional[Relations] = None
        self._commit_lock = threading.RLock()
        #: Pending work may already be on the server (an unknown outcome, a partial commit).
        self._in_doubt = False

    # -- gathering ------------------------------------------------------------------
    def gather(self) -> Pending:
        """Change records of every pending entity (see :class:`Pending`)."""
        tracker = self._map.changes
        new_entities, dirty_entities = tracker.new, tracker.dirty
        new_by_key = {}
        for entity in new_entities:
            key = primary_key(entity)
            if len(key) == 1:
                new_by_key[key[0]] = entity
        # One pass over each entity's local changes; collections are decided afterwards,
        # since appending to a collection changes its items' data.
        scanned = []
        collections: List[Tuple[Entity, str, List[Entity]]] = []
        for action, entities in (("create", new_entities), ("update", dirty_entities)):
            for entity in entities:
                scanned.append((action, entity) + split_changes(entity, new_by_key, collections))
        moves, moved, sent_as_lists = self._collection_moves(collections)
        changes: List[Change] = []
        owners: Dict[int, Sequence[Entity]] = {}

        def add(change: Change, *settled: Entity) -> None:
            changes.append(change)
            owners[id(change)] = settled

        moved_owners = {id(owner) for owner, _, _ in collections}
        for action, entity, data, references, has_mapped in scanned:
            if sent_as_lists:
                for name, value in sent_as_lists.pop(entity, ()):
                    data[name] = value
                    references += tuple(item for item in value if isinstance(item, Entity))
            move = moves.pop(entity, None) if moves else None
            if move:
                data.update(move[0])
                references += move[1]
            # an update whose only change is a moved collection sends nothing itself (the
            # items' changes settle it), but its mapped-collection changes still go below
            if data or action == "create":
                entity_type, key = entity.__entity_type__, primary_key(entity)
                # the wire dict now, its entity_data (built for it) shared as the change's data
                operation = ops.create_from(entity_type, data) if action == "create" \
                    else ops.update_from(entity_type, key, data)
                change = Change(action, entity_type, key, operation["entity_data"], entity, references,
                                operation=operation)
                changes.append(change)
                owners[id(change)] = (entity, *[r for r in references if id(r) in moved_owners]) if moved_owners \
                    else (entity,)
            if has_mapped:
                for change in self._mapped(entity):
                    add(change, entity)
        for item, (data, references) in moves.items():  # clean items moved between collections
            add(Change("update", item.__entity_type__, primary_key(item), data, item, references), item, *references)
        settled = {id(e) for entities in owners.values() for e in entities}
        # e.g. a collection only re-ordered: nothing to send, clean after the commit
        unsent = tuple({id(o): o for o, _, _ in collections if id(o) not in settled}.values())
        for entity, depends in _deletion_order(tracker.deleted).items():
            add(Change("delete", entity.__entity_type__, primary_key(entity), {}, entity, tuple(depends)), entity)
        return Pending(tuple(changes), owners, moved, unsent)

    def _collection_moves(
        self, collections: Sequence[Tuple[Entity, str, List[Entity]]]
    ) -> Tuple[
        Dict[Entity, Tuple[Dict[str, Any], Tuple[Entity, ...]]],
        Dict[Entity, Tuple[str, str]],
        Dict[Entity, List[Tuple[str, List[Entity]]]],
    ]:
        """Items appended to / removed from one-to-many collections, as item key changes.

        ``shot.children.append(task)`` is sent as ``task.parent_id = shot.id`` (what the
        server stores); a removed item gets ``None`` unless another collection took it.
        Returns the item changes, each moved item's (foreign key, collection), and the
        collections the schemas cannot map to an item key (sent as lists), per owner.
        """
        moves: Dict[Entity, Tuple[Dict[str, Any], Tuple[Entity, ...]]] = {}
        as_lists: Dict[Entity, List[Tuple[str, List[Entity]]]] = {}
        moved: Dict[Entity, Tuple[str, str]] = {}
        for entity, name, value in collections:
            relation = self._relations().get(entity.__entity_type__, name)
            view = inspect(entity)
            key = primary_key(entity)
            if relation is None or relation.kind != "collection" or relation.where or relation.hidden or len(key) != 1:
                as_lists.setdefault(entity, []).append((name, value))
                continue
            added, removed = collection_diff(view.server_values.get(name) or [], value)
            for item in removed:
                moves.setdefault(item, ({relation.fk: None}, ()))
                moved[item] = (relation.fk, name)
            for item in added:
                moves[item] = ({relation.fk: key[0]}, (entity,))
                moved[item] = (relation.fk, name)
        return moves, moved, as_lists

    def _relations(self) -> Relations:
        if self._relation_table is None:
            self._relation_table = Relations(self._map.schemas)
        return self._relation_table

    def _mapped(self, entity: Entity) -> List[Change]:
        result = []
        for mapped in mapped_changes(entity):
            schema = self._map.schemas[mapped.entity_type]
            key = tuple(mapped.entity_key.get(name) for name in schema.primary_key)
            if None in key:
                raise ValueError(
                    f"{entity!r}: cannot save {mapped.attribute}[{mapped.key!r}]: no custom attribute "
                    f"configuration named {mapped.key!r} applies to {entity.__entity_type__}."
                )
            data = dict(mapped.entity_data)
            if mapped.action == "create":
                data.update(mapped.entity_key)
            result.append(Change(mapped.action, mapped.entity_type, key, data, mapped.item, (entity,)))
        return result

    def plan(self) -> CommitPlan:
        """The operations the next commit would send, in order (nothing is sent)."""
        return plan_commit(self.gather().changes)

    # -- committing -----------------------------------------------------------------
    def commit(self, chunk_size: Optional[int] = None,
               progress: Optional[Callable[[int, int], None]] = None) -> CommitResult:
        """Send everything pending (see the module docstring); returns what was sent.

        ``chunk_size``: split the operations into calls of at most that many. The
        commit is then NOT all-or-nothing: if a later call fails,
        :class:`PartialCommitError` says how many calls landed; what they carried is
        clean, the rest stays pending.

        After an unknown outcome or a partial commit, the next commit first settles
        what already landed (see :mod:`ftrack_orm.reconcile`) and sends only the rest.

        Concurrent calls serialize (a lock): each sends what is pending when it starts.
        ``progress``: ``callback(operations_sent, operations_total)``, called before the
        first call and after each call lands.
        """
        with self._commit_lock:
            return run(self.commit_steps(chunk_size, progress), self._client.call)

    def commit_steps(self, chunk_size: Optional[int] = None,
                     progress: Optional[Callable[[int, int], None]] = None) -> Steps[CommitResult]:
        """:meth:`commit` as :mod:`~ftrack_orm.steps` (the caller holds whatever lock it needs)."""
        large = len(self._map.changes) >= gcpause.LARGE
        with gcpause.paused(large):
            pending = self.gather()
        reconciled = None
        if self._in_doubt and pending.changes:
            pending, reconciled = yield from self._reconcile(pending)
        if not pending.changes:
            self._map.apply_commit(LandedCommit(pending.unsent))
            self._in_doubt = False
            return CommitResult(reconciled=reconciled)
        with gcpause.paused(large):
            plan = plan_commit(pending.changes)
            operations = [change.to_dict() for change in plan.changes]
        size = len(operations) if not chunk_size else max(1, int(chunk_size))
        bounds = [(start, min(start + size, len(operations))) for start in range(0, len(operations), size)]
        owners = pending.owners
        last_chunk: Dict[int, Tuple[int, Entity]] = {}
        if len(bounds) > 1:  # which call settles each entity: only needed with several
            for index, change in enumerate(plan.changes):
                for owner in owners[id(change)]:
                    last_chunk[id(owner)] = (index // size, owner)
        if progress is not None:
            progress(0, len(operations))
        for number, (start, stop) in enumerate(bounds):
            if len(bounds) > 1:
                finished = [e for chunk, e in last_chunk.values() if chunk == number]
                batch = operations[start:stop]
            else:
                finished = list({id(o): o for change in plan.changes for o in owners[id(change)]}.values())
                batch = operations
            try:
                yield from self._send(batch, plan.changes if len(bounds) == 1 else plan.changes[start:stop],
                                      finished, pending.moved)
                if progress is not None:
                    progress(stop, len(operations))
            except ServerError as error:
                if number or isinstance(error, OutcomeUnknownError):
                    self._in_doubt = True  # what landed or may have landed is found by the next commit
                if number == 0:
                    raise
                raise _partial(error, bounds, number, plan.changes, pending.owners, last_chunk) from error
        self._map.apply_commit(LandedCommit(pending.unsent))
        self._in_doubt = False
        return CommitResult(plan.counts, len(bounds), reconciled)

    # -- reconciling ----------------------------------------------------------------
    def reconcile(self) -> Reconciliation:
        """Settle the pending creates already on the server and the pending deletes
        already applied (one query call, see :mod:`ftrack_orm.reconcile`); nothing
        else is sent. ``commit()`` does this first after an unknown outcome."""
        with self._commit_lock:
            return run(self.reconcile_steps(), self._client.call)

    def reconcile_steps(self) -> Steps[Reconciliation]:
        """:meth:`reconcile` as :mod:`~ftrack_orm.steps` (the caller holds whatever lock it needs)."""
        pending = self.gather()
        if not pending.changes:
            self._in_doubt = False
            return Reconciliation()
        return (yield from self._reconcile(pending))[1]

    def _reconcile(self, pending: Pending) -> Steps[Tuple[Pending, Reconciliation]]:
        """Ask the server which of ``pending`` it has, settle those; the rest to send."""
        applied = yield from reconcile.find_applied(self._map, pending.changes)
        changes: List[Change] = []
        owners: Dict[int, Sequence[Entity]] = {}
        settled: Dict[int, Entity] = {}
        for change in pending.changes:
            if id(change) in applied.settled:
                settled.update((id(owner), owner) for owner in pending.owners[id(change)])
                continue
            sent = applied.rewritten.get(id(change), change)
            changes.append(sent)
            owners[id(sent)] = pending.owners[id(change)]
        kept = {id(owner) for entities in owners.values() for owner in entities}
        self._map.apply_commit(LandedCommit(tuple(e for key, e in settled.items() if key not in kept),
                                            applied.answered))
        found = [change for change in pending.changes if id(change) in applied.found]
        # an entity found on the server but still pending would be sent as a create again
        self._in_doubt = any(id(owner) in kept for change in found for owner in pending.owners[id(change)])
        report = Reconciliation(
            created=tuple(c.entity for c in found if c.action == "create" and c.entity is not None),
            deleted=tuple(c.entity for c in found if c.action == "delete" and c.entity is not None),
            operations=len(found), remaining=len(changes),
        )
        return Pending(tuple(changes), owners, pending.moved, pending.unsent), report

    def _send(
        self, batch: List[Dict[str, Any]], changes: Sequence[Change], finished: List[Entity],
        moved_items: Mapping[Entity, Tuple[str, str]],
    ) -> Steps[None]:
        identity_map = self._map
        # One parse, merging the answers: merges only refresh server values, so nothing
        # the user changed moves unless the answer is a valid success. Then the identity
        # map applies the landed commit; attributes the answer carried keep the server's value.
        answered: Dict[int, AnswerLayout] = {}  # id(entity) -> its answer's layout (names and type)
        layouts: Dict[Tuple[str, ...], AnswerLayout] = {}
        moves = tuple(  # old keys read before the answer refreshes them
            Move(c.entity, fk, collection, inspect(c.entity).server_values.get(fk))
            for c in changes if c.entity in moved_items for fk, collection in (moved_items[c.entity],)
        )

        def answered_entity(entity: Entity, entity_type: str, payload: Dict[str, Any]) -> None:
            names = (entity_type, *payload)  # the type and names the answer carried: one layout each, shared
            found = layouts.get(names)
            answered[id(entity)] = found if found is not None else layouts.setdefault(names, AnswerLayout(names))

        hook = identity_map.object_hook(None, answered_entity)  # the fused hook: typed values too
        try:
            results = yield Call(batch, hook)
        except ServerError as error:
            _name_entity(error, changes)
            raise
        with gcpause.paused(len(changes) >= gcpause.LARGE):
            for index, (change, result) in enumerate(zip(changes, results)):
                entity = result["data"]
                # the common case inline: the answer is the sent entity, of the sent type
                if change.action != "delete" and (entity is not change.entity or change.entity is None
                                                  or _answered_type(answered, entity) != change.entity_type):
                    self._check_answer(index, change, entity, answered)
            identity_map.apply_commit(LandedCommit(tuple(finished), answered, moves))

    def _check_answer(self, index: int, change: Change, entity: Any, answered: Mapping[int, AnswerLayout]) -> None:
        """Raise unless ``entity`` (a create/update answer) is the entity ``change`` sent:
        its type (or a subtype) and its key."""
        answered_type = _answered_type(answered, entity)
        if isinstance(entity, Entity) and answered_type is not None and (
            entity is change.entity if change.entity is not None else primary_key(entity) == change.key
        ):
            types = self._map.types
            if answered_type == change.entity_type or issubclass(types[answered_type], types[change.entity_type]):
                return
            found = f"a {answered_type} where the {change.entity_type} {_key_text(change.key)} sent was expected"
        elif isinstance(entity, Entity):
            found = (f"{entity.__entity_type__} {_key_text(primary_key(entity))} where the "
                     f"{change.entity_type} {_key_text(change.key)} sent was expected")
        else:
            found = f"an entity without its key where the {change.entity_type} {_key_text(change.key)} was expected"
        raise answers.malformed(found, writes=True, index=index, operation=change.to_dict(), status=None,
                                entity=change.entity)


class AnswerLayout(FrozenSet[str]):
    """The attribute names one shape of entity answer carried, and its entity type (shared
    by every entity answered in that shape: one set per layout, not per entity)."""

    __slots__ = ("entity_type",)
    entity_type: str

    def __new__(cls, layout: Tuple[str, ...]) -> AnswerLayout:
        names = super().__new__(cls, layout[1:])
        names.entity_type = layout[0]
        return names


def _answered_type(answered: Mapping[int, AnswerLayout], entity: Any) -> Optional[str]:
    layout = answered.get(id(entity))
    return layout.entity_type if layout is not None else None


def _deletion_order(deleted: Sequence[Entity]) -> Dict[Entity, List[Entity]]:
    """For each deleted entity, the deleted entities it depends on (deleted after it).

    Known from loaded values: a reference or a foreign key to another deleted entity
    (a task's ``parent``/``parent_id``), or a loaded collection holding one (a shot's
    ``children``: those go first).
    """
    depends: Dict[Entity, List[Entity]] = {entity: [] for entity in deleted}
    by_key = {}
    for entity in deleted:
        key = primary_key(entity)
        if len(key) == 1:
            by_key[key[0]] = entity
    for entity in deleted:
        view = inspect(entity)
        attributes = view.schema.attributes
        for name, value in view.server_values.items():
            if isinstance(value, Entity):
                depends[entity].append(value)
            elif type(value) is list:
                for item in value:
                    if item in depends and item is not entity:
                        depends[item].append(entity)
            elif value.__class__ is str and value in by_key and attributes[name].foreign_key:
                depends[entity].append(by_key[value])
    return depends


def _partial(
    error: ServerError, bounds: Sequence[Tuple[int, int]], number: int, changes: Sequence[Change],
    owners: Mapping[int, Sequence[Entity]], last_chunk: Mapping[int, Tuple[int, Entity]],
) -> PartialCommitError:
    """The error of a chunked commit whose call ``number`` failed after the earlier ones landed:
    what landed (clean), what may have landed (the failed call, when its outcome is unknown)
    and what was not applied (still pending)."""
    unknown = isinstance(error, OutcomeUnknownError)
    start, stop = bounds[number]
    in_doubt = {id(o) for change in changes[start:stop] for o in owners[id(change)]} if unknown else set()
    landed = tuple(entity for chunk, entity in last_chunk.values() if chunk < number)
    doubtful = tuple(entity for chunk, entity in last_chunk.values() if chunk >= number and id(entity) in in_doubt)
    unsent = tuple(entity for chunk, entity in last_chunk.values() if chunk >= number and id(entity) not in in_doubt)
    counts = (start, stop - start if unknown else 0, len(changes) - (stop if unknown else start))
    cls = PartialCommitOutcomeUnknownError if unknown else PartialCommitError
    return cls(
        f"Call {number + 1} of {len(bounds)} failed after {number} landed: {error}. "
        f"{counts[0]} operation(s) landed (their entities are clean), {counts[1]} may or may not have "
        f"been applied, {counts[2]} were not applied; the rest stays pending and the next commit() "
        f"first asks the server what landed (or call session.reconcile()).",
        landed=number, total=len(bounds), error=error, entities=(landed, doubtful, unsent), operations=counts,
    )


def _key_text(key: Sequence[Any]) -> str:
    return ", ".join(str(value) for value in key)


def _name_entity(error: ServerError, changes: Sequence[Change]) -> None:
    index = error.operation_index
    if index is not None and 0 <= index < len(changes):
        change = changes[index]
        error.entity = change.entity
        if not error.operation:
            error.operation = change.to_dict()
