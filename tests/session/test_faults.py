"""Every fault of a loopback proxy between the session and a real sandbox, on a read,
a commit and the second call of a chunked commit: the fault surfaces as a clear
ServerError (an OutcomeUnknownError when the batch may have landed), and a
re-commit lands exactly what was pending: nothing lost, nothing twice, nothing
left pending. The sandbox is checked through a second, fresh session."""
from __future__ import annotations

from typing import Iterator

import pytest

from ftrack_orm.sandbox import Sandbox

from tests.support.fault_scenarios import WHERE, expected_error, run
from tests.support.faults import FAULTS, FaultProxy


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo") as served:
        yield served


@pytest.fixture(scope="module")
def proxy(sandbox: Sandbox) -> Iterator[FaultProxy]:
    with FaultProxy(sandbox.url) as running:
        yield running


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("fault", list(FAULTS))
def test_nothing_lost_no_duplicate_not_stuck(sandbox: Sandbox, proxy: FaultProxy, fault: str, where: str) -> None:
    outcome = run(sandbox, proxy, fault, where)
    assert outcome.clear, f"{fault} on {where} raised {outcome.error!r}"
    expected = expected_error(outcome)
    if expected is None and where != "read":
        assert outcome.error is None
    elif expected is not None:
        assert isinstance(outcome.error, expected), f"{fault} on {where} raised {outcome.error!r}"
    assert outcome.recommit_error is None, f"the re-commit after {fault} on {where} failed: {outcome.recommit_error}"
    assert outcome.left_pending == 0
    assert outcome.stored == outcome.expected  # every pending create once, nothing else
    assert outcome.updated is not None and not outcome.deleted_still_there


def test_the_proxy_injects_what_it_is_armed_with(sandbox: Sandbox, proxy: FaultProxy) -> None:
    outcome = run(sandbox, proxy, "reset_after", "commit")
    assert outcome.error is not None
    assert any(fault == "reset_after" and "create" in actions for actions, fault in proxy.log)
