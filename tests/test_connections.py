"""The default transport's urllib3 pools: requests' environment rules (proxies, NO_PROXY, CA
bundle), HTTPS verified for real, gzip answers, redirects named, and a passed ``requests.Session``
still used."""
from __future__ import annotations

import base64
import gzip
import json
import ssl

import pytest
import requests

from ftrack_orm import ServerConnectionError, Session
from ftrack_orm.connections import EnvironmentSettings
from ftrack_orm.transport import RequestsTransport

from tests.support.data import SERVER_CERTIFICATE, SERVER_KEY, TEST_CA
from tests.support.scripted import ScriptedServer, ftrack_like
from tests.support.network import closed_port_url

READ = [{"action": "query", "expression": "select id from Task"}]
WRITE = [{"action": "create", "entity_type": "Task", "entity_data": {"name": "x"}}]
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def session_at(url: str, **transport_options) -> Session:
    return Session(url, "u", "k", schema_cache=False, transport=RequestsTransport(**transport_options))


def test_a_proxy_from_the_environment_carries_the_requests(scripted_server, monkeypatch):
    scripted_server.handler = ftrack_like()
    monkeypatch.setenv("HTTP_PROXY", scripted_server.url)
    server_url = closed_port_url()  # nothing listens there: only the proxy can answer
    session = session_at(server_url)
    assert session.call(READ)[0]["action"] == "query"
    assert {request["path"] for request in scripted_server.requests} == {f"{server_url}/api"}
    assert "proxy-authorization" not in {name.lower() for name in scripted_server.requests[0]["headers"]}


def test_proxy_credentials_in_its_url_are_sent_to_the_proxy(scripted_server, monkeypatch):
    scripted_server.handler = ftrack_like()
    monkeypatch.setenv("http_proxy", scripted_server.url.replace("http://", "http://ada:p%40ss@"))
    session_at(closed_port_url()).call(READ)
    headers = {name.lower(): value for name, value in scripted_server.requests[0]["headers"].items()}
    credentials = headers["proxy-authorization"]
    assert credentials == "Basic " + base64.b64encode(b"ada:p@ss").decode()


def test_no_proxy_sends_straight_to_the_server(scripted_server, monkeypatch):
    scripted_server.handler = ftrack_like()
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())  # a dead proxy: using it would fail
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert session_at(scripted_server.url).call(READ)[0]["action"] == "query"
    assert scripted_server.requests[0]["path"] == "/api"


def test_an_unreachable_proxy_is_a_connection_error_after_the_retries(monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", closed_port_url())
    transport = RequestsTransport(sleep=lambda seconds: None)
    session = Session(closed_port_url(), "u", "k", schema_cache=False, transport=transport)
    with pytest.raises(ServerConnectionError):
        session.call(READ)
    assert transport.attempt_count == transport.retry.attempts


def test_the_ca_bundle_comes_from_the_environment_as_in_requests(monkeypatch, tmp_path):
    bundle = tmp_path / "studio-ca.pem"
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.setenv("CURL_CA_BUNDLE", "/elsewhere.pem")
    assert EnvironmentSettings.read("https://studio.example", True).verify == "/elsewhere.pem"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))  # requests prefers this one
    assert EnvironmentSettings.read("https://studio.example", True).verify == str(bundle)
    # a verify given by the caller is kept
    assert EnvironmentSettings.read("https://studio.example", False).verify is False
    assert EnvironmentSettings.read("https://studio.example", "/mine.pem").verify == "/mine.pem"


def test_a_missing_ca_bundle_fails_the_https_request_clearly(monkeypatch, tmp_path):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "missing.pem"))
    session = Session("https://127.0.0.1:9", "u", "k", schema_cache=False,
                      transport=RequestsTransport(retry=None, sleep=lambda seconds: None))
    with pytest.raises(OSError, match="CA certificate bundle, invalid path: .*missing.pem"):
        session.call(READ)


def test_gzip_answers_are_decoded(scripted_server):
    rows = [{"__entity_type__": "Task", "id": "1", "name": "é"}]
    answer_like_ftrack = ftrack_like()

    def handler(request):
        status, results = answer_like_ftrack(request)
        results = [dict(result, data=rows) if isinstance(result, dict) and result.get("action") == "query" else result
                   for result in results]
        return status, gzip.compress(json.dumps(results).encode()), {"Content-Encoding": "gzip"}

    scripted_server.handler = handler
    result = session_at(scripted_server.url).call(READ)
    assert [(row["id"], row["name"]) for row in result[0]["data"]] == [("1", "é")]
    assert "gzip" in scripted_server.requests[0]["headers"]["Accept-Encoding"]


@pytest.mark.parametrize("batch", [READ, WRITE], ids=["read", "write"])
def test_a_redirect_is_not_followed_and_names_where_it_points(scripted_server, batch):
    scripted_server.handler = lambda request: (301, b"", {"Location": "https://studio.example/api"})
    transport = RequestsTransport(sleep=lambda seconds: None)
    session = Session(scripted_server.url, "u", "k", schema_cache=False, transport=transport)
    with pytest.raises(ServerConnectionError, match="redirects to https://studio.example/api") as info:
        session.call(batch)
    assert info.value.status_code == 301
    assert len(scripted_server.requests) == 1  # a redirect was never applied: nothing to retry or doubt


def test_a_passed_requests_session_is_used_with_its_own_settings(scripted_server):
    scripted_server.handler = ftrack_like()
    http = requests.Session()
    http.headers["X-Studio"] = "north"
    session = Session(scripted_server.url, "u", "k", schema_cache=False,
                      transport=RequestsTransport(http_session=http))
    session.call(READ)
    assert scripted_server.requests[0]["headers"]["X-Studio"] == "north"


def test_the_pools_are_made_again_after_close(scripted_server):
    scripted_server.handler = ftrack_like()
    transport = RequestsTransport()
    session = Session(scripted_server.url, "u", "k", schema_cache=False, transport=transport)
    session.call(READ)
    transport.close()
    session.call(READ)
    assert len(scripted_server.requests) == 2


@pytest.fixture
def https_server(monkeypatch):
    """A scripted server over HTTPS, its certificate signed by the test CA (not in certifi)."""
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(SERVER_CERTIFICATE, SERVER_KEY)
    server = ScriptedServer(tls=context)
    server.handler = ftrack_like()
    yield server
    server.close()


def test_https_is_verified_against_certifi_by_default(https_server):
    transport = RequestsTransport(sleep=lambda seconds: None)
    session = Session(https_server.url, "u", "k", schema_cache=False, transport=transport)
    with pytest.raises(ServerConnectionError, match="(?i)certificate verify failed"):
        session.call(READ)
    assert https_server.requests == []  # nothing was sent to a server that could not be verified


@pytest.mark.parametrize("how", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "verify=file", "verify=directory"])
def test_https_is_verified_against_the_bundle_given(https_server, monkeypatch, how):
    options = {}
    if how.endswith("_BUNDLE"):
        monkeypatch.setenv(how, str(TEST_CA))
    elif how == "verify=file":
        options["verify"] = str(TEST_CA)
    else:  # a directory of certificates named by their subject hash, as `c_rehash` makes
        options["verify"] = str(TEST_CA.parent / "hashed")
    assert session_at(https_server.url, **options).call(READ)[0]["action"] == "query"
    assert len(https_server.requests) == 1


def test_https_without_verification_when_asked(https_server):
    with pytest.warns(Warning, match="(?i)unverified|insecure"):
        assert session_at(https_server.url, verify=False).call(READ)[0]["action"] == "query"
