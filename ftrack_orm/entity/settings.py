"""The identity map's configuration: lazy loading and what new entities are made from.

:class:`LoadSettings` holds the loader, the map-wide ``auto_populate`` default and
its per-thread override, the custom attribute configurations (resolved on first
use from a callable) and the id factory for ``{uid}`` defaults. It knows nothing
of entities or keys.
"""
from __future__ import annotations

import contextlib
import os
import threading
from typing import Any, Callable, Iterator, List, Optional

from .custom_attributes import CustomAttributeConfigurations
from .loading import Loader


class _ThreadOverride(threading.local):
    auto_populate: Optional[bool] = None


class LoadSettings:
    """Lazy-load settings and configuration of one identity map.

    ``loader``: a :class:`~ftrack_orm.entity.loading.Loader` (``None``: reading an
    unloaded attribute raises ``NotLoadedError``). ``auto_populate``: the map-wide
    default for fetching on read. ``custom_attribute_configurations``: a
    :class:`CustomAttributeConfigurations`, entities/dicts to build one from, or a
    zero-argument callable returning either. ``id_factory``: makes the ``{uid}``
    defaults of new entities.
    """

    def __init__(
        self,
        loader: Optional[Loader] = None,
        auto_populate: bool = True,
        custom_attribute_configurations: Any = None,
        id_factory: Optional[Callable[[], str]] = None,
    ) -> None:
        self.loader = loader
        self.auto_populate = auto_populate
        self.id_factory: Callable[[], str] = id_factory or _new_id
        self._configurations = custom_attribute_configurations
        self._thread = _ThreadOverride()
        self._lock = threading.Lock()

    @property
    def auto_populate_enabled(self) -> bool:
        """Whether reading an unloaded attribute fetches it, for the calling thread."""
        override = self._thread.auto_populate
        return self.auto_populate if override is None else override

    @contextlib.contextmanager
    def auto_populating(self, enabled: bool) -> Iterator[None]:
        """Turn fetching on read on/off for the calling thread within the block."""
        previous = self._thread.auto_populate
        self._thread.auto_populate = enabled
        try:
            yield
        finally:
            self._thread.auto_populate = previous

    @property
    def custom_attribute_configurations(self) -> Optional[CustomAttributeConfigurations]:
        """The configurations (resolved from the given source on first use), or ``None``."""
        source = self._configurations
        if source is not None and not isinstance(source, CustomAttributeConfigurations):
            with self._lock:
                if callable(self._configurations):
                    self._configurations = self._configurations()
                if not isinstance(self._configurations, CustomAttributeConfigurations):
                    self._configurations = CustomAttributeConfigurations.from_entities(self._configurations)
            source = self._configurations
        resolved: Optional[CustomAttributeConfigurations] = source  # None or resolved above
        return resolved

    @custom_attribute_configurations.setter
    def custom_attribute_configurations(self, value: Any) -> None:
        self._configurations = value


def _new_id() -> str:
    """A random (version 4) UUID's text, as ``str(uuid.uuid4())`` but without building
    the ``UUID`` object, from a pool filled 256 ids per ``urandom`` call (one id per
    created entity: the per-call cost matters)."""
    try:
        return _pool.pop()
    except IndexError:
        _pool.extend(_random_ids(256))
        return _pool.pop()


def _random_ids(count: int) -> List[str]:
    hexes = _urandom(16 * count).hex()
    variant = _VARIANT
    return [f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
            for h in (hexes[start:start + 32] for start in range(0, 32 * count, 32))]


_urandom = os.urandom
#: The RFC 4122 variant's first hex digit, by the two random bits it keeps.
_VARIANT = "89ab"
#: Ids made ahead (list.pop and list.extend are atomic: threads never share one). A forked
#: child starts with an empty pool, so parent and child never hand out the same id.
_pool: List[str] = []
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_pool.clear)
