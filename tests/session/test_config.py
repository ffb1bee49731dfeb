"""Session configuration: environment fallbacks, no I/O in the constructor, secrets kept out."""
from __future__ import annotations

import logging
import sys

import pytest

from ftrack_orm import ConfigurationError, Session
from ftrack_orm.transport import RequestsTransport

from tests.support.scripted import ftrack_like


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("FTRACK_SERVER", "FTRACK_API_USER", "FTRACK_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_no_configuration_names_the_variable():
    with pytest.raises(ConfigurationError, match="FTRACK_SERVER") as info:
        Session()
    assert "server_url" in str(info.value)


@pytest.mark.parametrize(
    "given, missing",
    [({"server_url": "http://s"}, "FTRACK_API_USER"), ({"server_url": "http://s", "api_user": "u"}, "FTRACK_API_KEY")],
)
def test_each_missing_value_is_named(given, missing):
    with pytest.raises(ConfigurationError, match=missing):
        Session(**given)


def test_environment_fallback(monkeypatch):
    monkeypatch.setenv("FTRACK_SERVER", "https://studio.example/")
    monkeypatch.setenv("FTRACK_API_USER", "jane")
    monkeypatch.setenv("FTRACK_API_KEY", "k-123")
    session = Session()
    assert session.server_url == "https://studio.example"
    assert session.api_user == "jane"
    assert session.api_key == "k-123"


def test_arguments_win_over_environment(monkeypatch):
    monkeypatch.setenv("FTRACK_API_USER", "env-user")
    session = Session("http://s", "arg-user", "k")
    assert session.api_user == "arg-user"


def test_constructor_does_no_network_io(scripted_server):
    session = Session(scripted_server.url, "u", "k", schema_cache=False)
    assert scripted_server.requests == []
    session.close()


def test_repr_shows_server_and_user_never_the_key():
    session = Session("http://s", "jane", "SECRET-KEY-42")
    text = repr(session)
    assert "http://s" in text and "jane" in text
    assert "SECRET-KEY-42" not in text
    assert "SECRET-KEY-42" not in repr(session.transport)
    assert "SECRET-KEY-42" not in repr(vars(session))
    assert "SECRET-KEY-42" not in repr(vars(session.client))


def test_event_hub_without_wsproto_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "wsproto", None)  # import wsproto raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'ftrack-orm\[events\]'"):
        Session("http://s", "u", "k", auto_connect_event_hub=True)


def test_context_manager_closes_the_pool(scripted_server):
    scripted_server.handler = ftrack_like()
    with Session(scripted_server.url, "u", "k", schema_cache=False) as session:
        session.call([{"action": "query_server_information"}])
    assert session.closed
    with pytest.raises(Exception, match="closed"):
        session.call([{"action": "query_server_information"}])


def test_headers_sent(scripted_server):
    scripted_server.handler = ftrack_like()
    session = Session(
        scripted_server.url, "jane", "KEY-1", client_token="tok-1", strict_api=True,
        headers={"X-Studio": "north"}, schema_cache=False,
    )
    session.call([{"action": "query_server_information"}])
    headers = {k.lower(): v for k, v in scripted_server.requests[0]["headers"].items()}
    assert headers["ftrack-user"] == "jane"
    assert headers["ftrack-api-key"] == "KEY-1"
    assert headers["ftrack-clienttoken"] == "tok-1"
    assert headers["ftrack-strict-api"] == "true"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert headers["x-studio"] == "north"
    assert scripted_server.requests[0]["path"] == "/api"


def test_default_client_token_and_no_strict_header(scripted_server):
    scripted_server.handler = ftrack_like()
    session = Session(scripted_server.url, "jane", "KEY-1", schema_cache=False)
    session.call([{"action": "query_server_information"}])
    headers = {k.lower(): v for k, v in scripted_server.requests[0]["headers"].items()}
    assert headers["ftrack-clienttoken"].startswith("ftrack-orm--")
    assert "ftrack-strict-api" not in headers


def test_tls_verification_on_by_default():
    assert RequestsTransport().verify is True
    assert Session("https://s", "u", "k").transport.verify is True


def test_debug_logging_never_shows_the_key(scripted_server, caplog):
    scripted_server.handler = ftrack_like()
    caplog.set_level(logging.DEBUG)
    session = Session(scripted_server.url, "jane", "VERY-SECRET-KEY", schema_cache=False)
    session.call([{"action": "query_server_information"}])
    session.thumbnail_url("abc")
    assert any("query_server_information" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert "VERY-SECRET-KEY" not in record.getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_component_urls():
    session = Session("https://studio.example", "jane doe", "k&1")
    assert session.get_component_url("c 1") == (
        "https://studio.example/component/get?id=c+1&username=jane+doe&apiKey=k%261"
    )
    assert session.thumbnail_url("c1") == (
        "https://studio.example/component/thumbnail?id=c1&size=300&username=jane+doe&apiKey=k%261"
    )
    assert "size=64" in session.thumbnail_url("c1", size=64)
    assert session.get_component_url(None) is None
    assert session.thumbnail_url(None) == "https://studio.example/img/thumbnail2.png"
