from __future__ import annotations

import uuid

from ftrack_orm.entity.settings import LoadSettings


def test_default_ids_are_random_version_4_uuid_text():
    make = LoadSettings(None, True, None).id_factory
    ids = [make() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        value = uuid.UUID(text)
        assert str(value) == text and value.version == 4 and value.variant == uuid.RFC_4122
