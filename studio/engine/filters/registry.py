"""The one registry of filter plugins: kind name -> plugin class, validated construction, and the
settings schema a form is generated from."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from pydantic import ValidationError

from studio.engine.errors import InputError, input_error_from_validation
from studio.engine.filters.base import VideoFilter

log = logging.getLogger(__name__)

_PLUGIN_MODULES = (
    "studio.engine.filters.colour_correction",
    "studio.engine.filters.white_balance",
    "studio.engine.filters.lut3d",
    "studio.engine.filters.sharpen",
    "studio.engine.filters.chroma_key",
    "studio.engine.filters.crop_pad",
    "studio.engine.filters.skin_smoothing",
)


class FilterRegistry:
    """Maps a show file's filter `kind` to the plugin class that implements it."""

    def __init__(self) -> None:
        self._plugins: dict[str, type[VideoFilter]] = {}

    def register(self, plugin: type[VideoFilter]) -> None:
        if plugin.kind in self._plugins:
            raise ValueError(f"filter kind {plugin.kind!r} registered twice")
        self._plugins[plugin.kind] = plugin

    @property
    def kinds(self) -> list[str]:
        return sorted(self._plugins)

    def plugin(self, kind: str) -> type[VideoFilter]:
        try:
            return self._plugins[kind]
        except KeyError:
            raise InputError(f"unknown filter kind {kind!r}; expected one of {', '.join(self.kinds)}") from None

    def settings_schema(self, kind: str) -> dict[str, Any]:
        """The JSON schema of a kind's settings (titles, descriptions, ranges, defaults)."""
        return self.plugin(kind).settings_model.model_json_schema()

    def validate_settings(self, kind: str, settings: dict[str, Any], *, where: str = "settings") -> Any:
        plugin = self.plugin(kind)
        try:
            return plugin.settings_model.model_validate(settings)
        except ValidationError as error:
            raise input_error_from_validation(error, prefix=where) from None

    def create(self, kind: str, settings: dict[str, Any], *, where: str = "settings") -> VideoFilter:
        """A filter from plain settings. InputError for bad settings, or for what the settings
        name (a missing or malformed .cube file)."""
        return self.plugin(kind)(self.validate_settings(kind, settings, where=where))


def default_filter_registry() -> FilterRegistry:
    """A registry holding every built-in filter."""
    registry = FilterRegistry()
    for module_name in _PLUGIN_MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            # One broken plugin must not take the others down.
            log.error("filter plugin %s unavailable: %s", module_name, error)
            continue
        for plugin in getattr(module, "PLUGINS", ()):
            registry.register(plugin)
    return registry
