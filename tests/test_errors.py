"""call(): results, every error mapping with and without strict api, malformed answers."""
from __future__ import annotations

import pytest

from ftrack_orm import (
    InvalidCredentialsError,
    MalformedResponseError,
    ServerError,
    ServerPermissionDeniedError,
    ServerValidationError,
    Session,
)

CREDENTIALS_TEXT = (
    "The supplied API key is not valid. API keys are created from Settings under the page API keys. "
    'The api key should be passed in the request header "ftrack-api-key".'
)


def make_session(server, strict=False):
    return Session(server.url, "u", "KEY", strict_api=strict, schema_cache=False)


def test_call_returns_results_in_order(scripted_server):
    scripted_server.handler = lambda request: (200, [{"data": [], "metadata": {"n": i}}
                                                             for i, _ in enumerate(request["json"])])
    session = make_session(scripted_server)
    assert session.call([{"action": "query", "expression": "Task"}] * 3) == [
        {"data": [], "metadata": {"n": n}} for n in range(3)]
    assert session.call([]) == []
    assert len(scripted_server.requests) == 1


@pytest.mark.parametrize("strict, status", [(False, 200), (True, 400)])
@pytest.mark.parametrize(
    "name, error_code, expected",
    [
        ("ValidationError", None, ServerValidationError),
        ("ParseError", None, ServerValidationError),
        ("PermissionError", None, ServerPermissionDeniedError),
        ("FTAuthenticationError", None, ServerPermissionDeniedError),
        ("InvalidCredentialsError", "api_credentials_invalid", InvalidCredentialsError),
        ("ServerError", None, ServerError),
        ("SomethingNew", "x1", ServerError),
    ],
)
def test_error_mapping(scripted_server, strict, status, name, error_code, expected):
    payload = {"exception": name, "content": f"{name} happened", "error_code": error_code}
    scripted_server.handler = lambda request: (status, payload)
    with pytest.raises(expected) as info:
        make_session(scripted_server, strict).call([{"action": "query", "expression": "Task"}])
    error = info.value
    assert type(error) is expected
    assert error.exception_name == name
    assert error.content == f"{name} happened"
    assert error.error_code == error_code
    assert error.status_code == status
    assert name in str(error)


def test_permission_errors_are_builtin_permission_errors(scripted_server):
    scripted_server.handler = lambda request: (200, {"exception": "PermissionError", "content": "no"})
    with pytest.raises(PermissionError):
        make_session(scripted_server).call([{"action": "delete", "entity_type": "Task", "entity_key": ["1"]}])


def test_credentials_error_by_code_alone_and_real_text(scripted_server):
    scripted_server.handler = lambda request: (
        401, {"exception": "ServerError", "content": CREDENTIALS_TEXT, "error_code": "api_credentials_invalid"}
    )
    with pytest.raises(InvalidCredentialsError) as info:
        make_session(scripted_server, strict=True).call([{"action": "query_server_information"}])
    assert info.value.content == CREDENTIALS_TEXT
    assert isinstance(info.value, ServerPermissionDeniedError)


def test_failing_operation_index_and_operation(scripted_server):
    scripted_server.handler = lambda request: (
        200, {"exception": "ValidationError", "content": "bad name", "operation_index": 1}
    )
    batch = [
        {"action": "create", "entity_type": "Shot", "entity_data": {"id": "s1"}},
        {"action": "update", "entity_type": "Task", "entity_key": ["t9"], "entity_data": {"name": 1}},
    ]
    with pytest.raises(ServerValidationError) as info:
        make_session(scripted_server).call(batch)
    assert info.value.operation_index == 1
    assert info.value.operation == batch[1]
    assert "operation 1: update Task ['t9']" in str(info.value)


@pytest.mark.parametrize(
    "status, body, fragment",
    [
        (200, b"<html>proxy error</html>", "not JSON"),
        (200, {"unexpected": "object"}, "list of 1"),
        (200, [1, 2], "list of 1"),
        (500, b"", "not JSON"),
        (418, [1], "HTTP 418"),
    ],
)
def test_malformed_responses(scripted_server, status, body, fragment):
    scripted_server.handler = lambda request: (status, body)
    with pytest.raises(MalformedResponseError, match=fragment) as info:
        make_session(scripted_server).call([{"action": "query_server_information"}])
    assert info.value.status_code == status
    assert isinstance(info.value, ServerError)


def test_not_json_carries_cause(scripted_server):
    scripted_server.handler = lambda request: (200, b"{oops")
    with pytest.raises(MalformedResponseError) as info:
        make_session(scripted_server).call([{"action": "query_server_information"}])
    assert isinstance(info.value.cause, ValueError)


def test_errors_never_contain_the_key(scripted_server):
    scripted_server.handler = lambda request: (200, {"exception": "ValidationError", "content": "x"})
    with pytest.raises(ServerError) as info:
        make_session(scripted_server).call([{"action": "query_server_information"}])
    assert "KEY" not in str(info.value) and "KEY" not in repr(info.value)


def _public_error_classes():
    """Every exception class the client side defines (the sandbox's own stay server-side)."""
    import importlib
    import pkgutil

    import ftrack_orm

    found = set()
    for info in pkgutil.walk_packages(ftrack_orm.__path__, "ftrack_orm."):
        if ".sandbox" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == info.name \
                    and not value.__name__.startswith("_"):
                found.add(value)
    return found


def test_every_library_error_shares_the_root_and_is_importable_from_the_package():
    import ftrack_orm
    from ftrack_orm import FtrackOrmError

    classes = _public_error_classes()
    assert len(classes) > 25
    for cls in classes:
        assert issubclass(cls, FtrackOrmError), cls
        assert getattr(ftrack_orm, cls.__name__, None) is cls and cls.__name__ in ftrack_orm.__all__, cls


def test_builtin_bases_are_kept():
    from ftrack_orm import (
        FtrackOrmError,
        NoResultFoundError,
        QueryParseError,
        QueryValidationError,
        UnknownEntityTypeError,
    )

    assert issubclass(QueryParseError, ValueError) and issubclass(QueryValidationError, ValueError)
    assert issubclass(UnknownEntityTypeError, KeyError) and issubclass(NoResultFoundError, LookupError)
    for cls in (QueryParseError, QueryValidationError, UnknownEntityTypeError):
        assert issubclass(cls, FtrackOrmError)


def test_invalid_credentials_name_server_and_user_and_hint_at_swapped_arguments(scripted_server):
    scripted_server.handler = lambda request: (
        401, {"exception": "ServerError", "content": CREDENTIALS_TEXT, "error_code": "api_credentials_invalid"}
    )
    with pytest.raises(InvalidCredentialsError) as info:
        make_session(scripted_server, strict=True).call([{"action": "query_server_information"}])
    text = str(info.value)
    assert scripted_server.url in text and "user 'u'" in text and "KEY" not in text
    assert "(server_url, api_key, api_user)" in text and "ftrack_orm.compat" in text
