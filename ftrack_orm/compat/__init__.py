"""ftrack-python-api names over ftrack_orm: ``import ftrack_orm.compat as ftrack_api``.

It adapts names only; everything runs on ftrack_orm's own implementation:

* :class:`Session` takes the official client's signature ``(server_url, api_key,
  api_user, auto_populate=True, ...)`` (ftrack_orm's own order is ``(server_url,
  api_user, api_key)``); ``schema_cache_path`` is the schema cache;
* :mod:`.exception`: the official exception names as ftrack_orm's classes
  (``ftrack_api.exception.NoResultFoundError``...);
* :mod:`.symbol`: ``NOT_SET``, ``CREATED``/``MODIFIED``/``DELETED``, the location ids,
  ``JOB_SYNC_USERS_LDAP``;
* :mod:`.event` (``event.base.Event``) and :mod:`.inspection` (``primary_key``,
  ``identity``, ``state``).

What ftrack_orm does differently (deferred writes until ``commit()``, typed assignment,
...) stays so: README.md, "Migrating from ftrack-python-api", lists every difference.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional, Union

from .. import session as _session
from . import event, exception, inspection, symbol

__all__ = ["Session", "event", "exception", "inspection", "symbol"]


class Session(_session.Session):
    """:class:`ftrack_orm.Session` with the official client's constructor arguments.

    ``plugin_paths``, ``plugin_arguments``, ``cache`` and ``cache_key_maker`` have no
    counterpart: passing one raises ``TypeError`` (register mixins with
    ``ftrack_orm.register_mixin`` instead of ``construct-entity-type`` plugins).
    """

    def __init__(
        self,
        server_url: Optional[str] = None,
        api_key: Optional[str] = None,
        api_user: Optional[str] = None,
        auto_populate: bool = True,
        plugin_paths: Any = None,
        cache: Any = None,
        cache_key_maker: Any = None,
        auto_connect_event_hub: bool = False,
        schema_cache_path: Union[str, bool, None] = None,
        plugin_arguments: Any = None,
        timeout: float = 60,
        cookies: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        strict_api: bool = False,
        **options: Any,
    ) -> None:
        unsupported = {"plugin_paths": plugin_paths, "plugin_arguments": plugin_arguments, "cache": cache,
                       "cache_key_maker": cache_key_maker, "cookies": cookies}
        given = sorted(name for name, value in unsupported.items() if value)
        if given:
            raise TypeError(f"ftrack_orm.compat.Session does not support {', '.join(given)}: see README.md, "
                            "'Migrating from ftrack-python-api' (entity plugins become ftrack_orm.register_mixin).")
        if schema_cache_path is not None:
            options.setdefault("schema_cache", schema_cache_path)
        super().__init__(server_url, api_user, api_key, auto_populate=auto_populate,
                         auto_connect_event_hub=auto_connect_event_hub, timeout=timeout, headers=headers,
                         strict_api=strict_api, **options)
