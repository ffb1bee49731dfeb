from __future__ import annotations

import os
import threading
import uuid

import pytest

from ftrack_orm.entity.settings import LoadSettings


def test_default_ids_are_random_version_4_uuid_text():
    make = LoadSettings(None, True, None).id_factory
    ids = [make() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        value = uuid.UUID(text)
        assert str(value) == text and value.version == 4 and value.variant == uuid.RFC_4122


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_never_hands_out_its_parents_ids():
    make = LoadSettings(None, True, None).id_factory
    make()  # the pool now holds ids made ahead
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its next ids, to the parent
        os.close(read)
        os.write(write, "\n".join(make() for _ in range(300)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        child = set(pipe.read().split("\n"))
    os.waitpid(pid, 0)
    parent = {make() for _ in range(300)}
    assert len(child) == 300 and not child & parent


def test_threads_never_share_an_id():
    make = LoadSettings(None, True, None).id_factory
    made: list = []

    def worker() -> None:
        made.extend([make() for _ in range(3000)])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 12000 and len(set(made)) == 12000
