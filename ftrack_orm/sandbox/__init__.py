"""A local ftrack-compatible server on SQLite, serving the real schemas.

    with Sandbox() as sandbox:          # demo studio, in memory, 127.0.0.1:<free port>
        requests.post(sandbox.url + "/api", json=[...],
                      headers={"ftrack-user": sandbox.api_user, "ftrack-api-key": sandbox.api_key})

Or ``python -m ftrack_orm.sandbox``, or the ``ftrack_sandbox`` pytest fixture.

Sandbox rules (where real servers were not observed):

* Errors: one ``{"exception", "content", "error_code"}`` object, plus
  ``"operation_index"`` (the failing operation of the batch, also named in
  ``content`` for batches of more than one). With ``ftrack-strict-api: true``
  the HTTP status is 400 (``ValidationError``/``ParseError``), 401
  (``InvalidCredentialsError``), 403 (``PermissionError``) or 500; otherwise 200.
  A syntax error, an unknown type or an unknown attribute in a query is a
  ``ValidationError`` whose content points at the position.
* A batch runs in one SQLite transaction: all of it is applied or none.
* The ``readonly`` user may query; its writes are refused with ``PermissionError``.
* Delete policy: deleting a context deletes its descendants and what they own
  (assets, their versions, components and component locations, notes and
  replies, timelogs, appointments, metadata, custom attribute values), as on
  ftrack. Any other entity that still references a deleted entity (a task
  using a status, a version made by a user…) makes the delete fail with a
  ``ValidationError`` naming the referrer: re-point or delete it first.
* A typed context (``Shot``, ``Task``…) needs a parent by the end of its batch
  (its project is its parent's).
* Server pseudo-attributes (``select __permissions.status_id from Task``) are
  refused with a ``ValidationError`` saying the sandbox does not model
  permissions (the shape of the real answer is not public).
* ``time_logged`` sums the entity's own time logs (whether ftrack adds its
  descendants' is not public).
* ``like`` is case-insensitive; ``%`` matches any run of characters.
* Without ``order by``, rows come in creation order.
* Uploads: ``get_upload_metadata`` answers a URL on the sandbox whose ``PUT``
  is accepted and discarded.
"""
from .server import Sandbox

__all__ = ["Sandbox"]
