"""Components on the sandbox as a real server keeps them.

* ``system_type`` is derived from the component's subtype (:data:`SYSTEM_TYPES`);
  a client does not send it (the JavaScript client's ``createComponent`` does not).
* The base type ``Component`` may be created (it is stored as a plain file
  component would be): :data:`CREATABLE_BASES`.
* The built-in locations exist with their real ids (:data:`BUILTIN_LOCATIONS`).
* ``get_upload_metadata``, ``complete_multipart_upload`` and ``encode_media``
  answer as a server does. The sandbox cannot transcode: ``encode_media`` answers
  a finished ``Job`` whose outputs (``JobComponent`` rows and the job's ``data``)
  are new components in the server location holding the source's bytes as they
  are, so a client sees the real shape but the media is not re-encoded.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Callable, Dict, List, Mapping, Optional

from .errors import validation_error
from .files import FileStore

SERVER_LOCATION_ID = "3a372bde-05bc-11e4-8908-20c9d081909b"

#: Component subtype → the ``system_type`` a server gives it.
SYSTEM_TYPES: Dict[str, str] = {
    "Component": "file",
    "FileComponent": "file",
    "ContainerComponent": "container",
    "SequenceComponent": "sequence",
}

#: Abstract types that may nevertheless be created directly.
CREATABLE_BASES = frozenset({"Component", "ContainerComponent"})

#: The locations every ftrack server has: (name, id, label).
BUILTIN_LOCATIONS = (
    ("ftrack.origin", "ce9b348f-8809-11e3-821c-20c9d081909b", "Origin"),
    ("ftrack.unmanaged", "cb268ecc-8809-11e3-a7e2-20c9d081909b", "Unmanaged"),
    ("ftrack.review", "cd41be70-8809-11e3-b98a-20c9d081909b", "Review"),
    ("ftrack.connect", "07b82a97-8cf9-11e3-9383-20c9d081909b", "Connect"),
    ("ftrack.server", SERVER_LOCATION_ID, "ftrack server"),
)

#: Encode outputs (format, component name) answered by ``encode_media``.
_ENCODE_OUTPUTS = (("video/mp4", "ftrackreview-mp4"), ("image/jpeg", "ftrackreview-image"))


def upload_metadata(operation: Mapping[str, Any], files: FileStore, base_url: str,
                    sign: Callable[[str], str]) -> Dict[str, Any]:
    """The answer to ``get_upload_metadata``: one signed URL, or one per part when ``parts`` > 1."""
    component_id = operation.get("component_id")
    if not isinstance(component_id, str) or not component_id:
        raise validation_error("get_upload_metadata needs a 'component_id'.")
    parts = operation.get("parts")
    if isinstance(parts, int) and not isinstance(parts, bool) and parts > 1:
        upload_id = files.begin_multipart(component_id, parts)
        signed = base_url + sign(component_id)
        return {
            "component_id": component_id,
            "upload_id": upload_id,
            "urls": [{"part_number": n, "signed_url": f"{signed}&upload_id={upload_id}&part_number={n}"}
                     for n in range(1, parts + 1)],
        }
    headers = {"Content-Length": str(operation.get("file_size", 0)), "Content-Type": "application/octet-stream"}
    checksum = operation.get("checksum")
    if isinstance(checksum, str) and checksum:
        headers["Content-MD5"] = checksum
    return {"url": base_url + sign(component_id), "headers": headers, "component_id": component_id}


def complete_multipart_upload(operation: Mapping[str, Any], files: FileStore) -> Dict[str, Any]:
    """The answer to ``complete_multipart_upload`` (``upload_id``, ``parts``, ``component_id``)."""
    parts = operation.get("parts")
    if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
        raise validation_error("complete_multipart_upload needs 'parts': [{part_number, e_tag}, ...].")
    files.complete_multipart(str(operation.get("component_id")), str(operation.get("upload_id")), parts)
    return {}


def encode_media(operation: Mapping[str, Any], files: FileStore, create: Callable[[str, Dict[str, Any]], Any],
                 get: Callable[[str, List[Any]], Any], now: str, user_id: Optional[str]) -> Dict[str, Any]:
    """Answer ``encode_media`` with a finished ``Job`` (``{"job_id"}``); see the module docstring."""
    source_id = operation.get("component_id")
    source = get("Component", [source_id]) if isinstance(source_id, str) else None
    path = files.path(source_id) if isinstance(source_id, str) else None
    if source is None or path is None:
        raise validation_error(f"encode_media: no component {source_id!r} with data in the ftrack.server location.")
    version_id = operation.get("version_id")
    outputs = [{"format": media_format, "component_id": str(uuid.uuid4())} for media_format, _ in _ENCODE_OUTPUTS]
    data = {"output": outputs, "source_component_id": source_id, "keep_original": bool(operation.get("keep_original"))}
    job_id = str(uuid.uuid4())
    create("Job", {"id": job_id, "type": "api_job", "status": "done", "user_id": user_id, "finished_at": now,
                   "data": json.dumps(data)})
    for output, (media_format, name) in zip(outputs, _ENCODE_OUTPUTS):
        component_id = output["component_id"]
        extension = ".mp4" if media_format == "video/mp4" else ".jpg"
        create("FileComponent", {"id": component_id, "name": name, "file_type": extension, "size": source["size"],
                                 "version_id": version_id})
        files.copy(str(source_id), component_id)
        create("ComponentLocation", {"component_id": component_id, "location_id": SERVER_LOCATION_ID,
                                     "resource_identifier": component_id})
        create("JobComponent", {"job_id": job_id, "component_id": component_id})
    return {"job_id": job_id}
