"""Pooled HTTP connections on urllib3, with the environment's proxy and TLS settings.

The default transport posts through these pools rather than through a
``requests.Session``: ``requests`` (which runs on urllib3 too) adds about 450 us of
CPU to every request on this machine, most of it merging settings and scanning the
environment for proxies, and a small query costs the client less than that on its own
(``python -m benchmarks.request_overhead``).

What ``requests`` would take from the environment is kept, read once per origin
(scheme, host and port) at its first request instead of on every request:

* proxies: ``HTTP_PROXY`` / ``HTTPS_PROXY`` / ``ALL_PROXY`` with ``NO_PROXY`` applied
  (``requests``' own rules, CIDR ranges included);
* the CA bundle: ``REQUESTS_CA_BUNDLE``, then ``CURL_CA_BUNDLE``, then certifi's (as
  ``requests``) when ``verify`` is ``True``; a path to a file or directory; ``False``
  skips verification.

Not kept: cookies (the API authenticates every request by its headers) and
``~/.netrc``. Redirects are not followed: the caller gets the 3xx status and its
``Location`` (see :func:`redirect_hint`).
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Dict, NamedTuple, Tuple, Union
from urllib.parse import urlsplit

if TYPE_CHECKING:  # pragma: no cover
    import urllib3

USER_AGENT = "ftrack-orm"

#: urllib3's pool sizes, as ``requests``' defaults: 10 hosts, 10 connections each, never blocking.
POOLS, POOL_SIZE = 10, 10


class EnvironmentSettings(NamedTuple):
    """What ``requests`` takes from the environment for one origin."""

    proxy: str  # the proxy URL for the origin's scheme, "" for none
    verify: Union[bool, str]  # True / False / a CA bundle file or directory

    @classmethod
    def read(cls, url: str, verify: Union[bool, str]) -> EnvironmentSettings:
        """The settings ``requests`` would apply to a request to ``url``."""
        import urllib.request  # (with http.client and ssl) at the first request, not at import

        if verify is True:
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        proxy = ""
        if urllib.request.getproxies():  # requests' exact NO_PROXY rules, only when a proxy is set
            from requests.utils import get_environ_proxies, select_proxy

            proxy = select_proxy(url, get_environ_proxies(url)) or ""
        return cls(proxy, verify)


class Response(NamedTuple):
    """Status, body (decoded from gzip/deflate) and the ``Location`` header, if any."""

    status: int
    body: bytes
    location: str


class ConnectionPools:
    """urllib3 pools per origin for one transport (thread-safe; ``close`` releases them)."""

    def __init__(self, verify: Union[bool, str]) -> None:
        self._verify = verify
        self._headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate", "Connection": "keep-alive"}
        self._managers: Dict[str, urllib3.PoolManager] = {}  # by URL posted to: one lookup per request
        self._by_origin: Dict[str, urllib3.PoolManager] = {}
        self._by_settings: Dict[EnvironmentSettings, urllib3.PoolManager] = {}
        self._timeouts: Dict[Tuple[float, float], urllib3.Timeout] = {}
        self._lock = threading.Lock()

    def post(self, url: str, body: bytes, headers: Dict[str, str], timeout: Tuple[float, float]) -> Response:
        """POST ``body``; network failures raise urllib3's errors (never retried here)."""
        manager = self._managers.get(url) or self._manager(url)
        pool_timeout = self._timeouts.get(timeout) or self._timeout(timeout)
        response = manager.urlopen(
            "POST", url, body=body, headers={**self._headers, **headers}, timeout=pool_timeout,
            retries=False, redirect=False, preload_content=True, decode_content=True,
        )
        return Response(response.status, response.data, response.headers.get("Location") or "")

    def _timeout(self, timeout: Tuple[float, float]) -> urllib3.Timeout:
        import urllib3

        made = self._timeouts[timeout] = urllib3.Timeout(connect=timeout[0], read=timeout[1])
        return made

    def _manager(self, url: str) -> urllib3.PoolManager:
        import urllib3

        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        known = self._by_origin.get(origin)
        if known is not None:
            self._managers[url] = known
            return known
        settings = EnvironmentSettings.read(url, self._verify)
        with self._lock:
            manager = self._by_settings.get(settings)
            if manager is None:
                tls = _tls_options(settings.verify)
                if settings.proxy:
                    manager = _proxy_manager(settings.proxy, tls)
                else:
                    manager = urllib3.PoolManager(num_pools=POOLS, maxsize=POOL_SIZE, **tls)
                self._by_settings[settings] = manager
            self._by_origin[origin] = self._managers[url] = manager
        return manager

    def close(self) -> None:
        """Close every pooled connection (the pools are made again on the next request)."""
        with self._lock:
            managers = list(self._by_settings.values())
            self._managers.clear()
            self._by_origin.clear()
            self._by_settings.clear()
        for manager in managers:
            manager.clear()


def _proxy_manager(proxy: str, tls: Dict[str, Any]) -> urllib3.PoolManager:
    """A pool manager through ``proxy``, with its credentials, as ``requests``' adapter makes it."""
    import urllib3
    from requests.utils import get_auth_from_url

    if proxy.lower().startswith("socks"):
        try:
            from urllib3.contrib.socks import SOCKSProxyManager
        except ImportError as exc:
            raise ImportError(f"A SOCKS proxy is set ({proxy.split('@')[-1]}): install PySocks") from exc
        username, password = get_auth_from_url(proxy)
        return SOCKSProxyManager(proxy, username=username or None, password=password or None,
                                 num_pools=POOLS, maxsize=POOL_SIZE, **tls)
    username, password = get_auth_from_url(proxy)
    headers = urllib3.make_headers(proxy_basic_auth=f"{username}:{password}") if username else None
    return urllib3.ProxyManager(proxy, proxy_headers=headers, num_pools=POOLS, maxsize=POOL_SIZE, **tls)


def _tls_options(verify: Union[bool, str]) -> Dict[str, Any]:
    """urllib3's certificate options for ``requests``' ``verify`` value."""
    if verify is False:
        return {"cert_reqs": "CERT_NONE"}
    if verify is True:
        import certifi  # requests' dependency, and its default bundle

        return {"cert_reqs": "CERT_REQUIRED", "ca_certs": certifi.where()}
    if os.path.isdir(verify):
        return {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir": verify}
    if not os.path.exists(verify):  # requests' own words, before anything is sent
        raise OSError(f"Could not find a suitable TLS CA certificate bundle, invalid path: {verify}")
    return {"cert_reqs": "CERT_REQUIRED", "ca_certs": verify}


def redirect_hint(status: int, location: str) -> str:
    """Words for an answer that redirects (the pools never follow one), or ``""``."""
    if 300 <= status < 400 and location:
        return f"; the server redirects to {location}: give the Session that URL"
    return ""
