"""Each error class that comes over the wire, lenient (HTTP 200) and strict (4xx)."""
from __future__ import annotations

import pytest

from ftrack_orm import (
    InvalidCredentialsError,
    ServerPermissionDeniedError,
    ServerValidationError,
)
from ftrack_orm import operations as ops

MODES = pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])


@MODES
def test_validation_error_from_the_server(open_session, strict):
    session = open_session(strict_api=strict)
    session.schemas  # noqa: B018
    # the client checks expressions before sending; a raw call reaches the server as written
    with pytest.raises(ServerValidationError) as info:
        session.call([ops.query_server_information(), ops.query("select nmae from Task")])
    error = info.value
    assert error.exception_name == "ValidationError"
    assert "nmae" in error.content
    assert error.operation_index == 1 and error.operation == ops.query("select nmae from Task")
    assert error.status_code == (400 if strict else 200)


@MODES
def test_permission_denied_for_the_readonly_user(open_session, strict):
    session = open_session(user="readonly", strict_api=strict)
    task = session.query("select name from Task where name is lighting and parent.name is sh010").one()
    task.name = "renamed"
    with pytest.raises(ServerPermissionDeniedError) as info:
        session.commit()
    assert info.value.exception_name == "PermissionError"
    assert info.value.status_code == (403 if strict else 200)
    assert task.is_dirty and task.changes["name"] == ("lighting", "renamed")  # nothing lost


@MODES
def test_invalid_credentials(open_session, strict):
    session = open_session(api_key="00000000-0000-0000-0000-000000000000", strict_api=strict)
    with pytest.raises(InvalidCredentialsError) as info:
        session.schemas  # noqa: B018 - the first call
    error = info.value
    assert isinstance(error, ServerPermissionDeniedError)
    assert error.error_code == "api_credentials_invalid"
    assert error.content.startswith("The supplied API key is not valid.")
    assert error.status_code == (401 if strict else 200)
