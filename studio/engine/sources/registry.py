"""The one registry of source plugins: kind name -> plugin class, and validated construction."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from studio.engine.clock import MediaClock
from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.sources.base import VideoSource

log = logging.getLogger(__name__)

_PLUGIN_MODULES = (
    "studio.engine.sources.test_pattern",
    "studio.engine.sources.colour",
    "studio.engine.sources.image",
    "studio.engine.sources.file",
    "studio.engine.sources.camera",
    "studio.engine.sources.screen",
    "studio.engine.sources.network",
    "studio.engine.sources.guest",
)


class SourceRegistry:
    """Maps a show file's `kind` to the plugin class that implements it."""

    def __init__(self) -> None:
        self._plugins: dict[str, type[VideoSource]] = {}

    def register(self, plugin: type[VideoSource]) -> None:
        if plugin.kind in self._plugins:
            raise ValueError(f"source kind {plugin.kind!r} registered twice")
        self._plugins[plugin.kind] = plugin

    @property
    def kinds(self) -> list[str]:
        return sorted(self._plugins)

    def plugin(self, kind: str) -> type[VideoSource]:
        try:
            return self._plugins[kind]
        except KeyError:
            raise InputError(f"unknown source kind {kind!r}; expected one of {', '.join(self.kinds)}") from None

    def validate_settings(self, kind: str, settings: dict[str, Any], *, where: str = "settings") -> Any:
        plugin = self.plugin(kind)
        try:
            return plugin.settings_model.model_validate(settings)
        except ValidationError as error:
            raise input_error_from_validation(error, prefix=where) from None

    def create(self, kind: str, name: str, settings: dict[str, Any], clock: MediaClock) -> VideoSource:
        plugin = self.plugin(kind)
        return plugin(name, self.validate_settings(kind, settings), clock)


def default_registry() -> SourceRegistry:
    """A registry holding every built-in plugin."""
    import importlib

    registry = SourceRegistry()
    for module_name in _PLUGIN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            # One broken plugin (say, a missing native library) must not take the others down.
            log.error("source plugin %s unavailable: %s", module_name, error)
            continue
        for plugin in getattr(module, "PLUGINS", ()):
            registry.register(plugin)
    return registry
