"""Building extension points (modifiers, payment methods) from a settings list, once."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.utils.module_loading import import_string

from kernel.conf import orderly_setting

T = TypeVar("T")

_built: dict[tuple[str, str], tuple[Any, ...]] = {}


def build_entry(entry: str | dict[str, Any]) -> Any:
    """A dotted path to a class, or a dict {"class": path, **options} to build it with."""
    if isinstance(entry, str):
        return import_string(entry)()
    options = dict(entry)
    cls = import_string(options.pop("class"))
    return cls(**options)


def configured_instances(
    setting_key: str, build: Callable[[Any], T] = build_entry
) -> tuple[T, ...]:
    """The instances a setting lists, built once per distinct value of the setting.

    Keyed on the setting's repr so `override_settings` (tests) and a changed deployment
    get fresh instances, while a running server builds them only once.
    """
    config = orderly_setting(setting_key)
    cache_key = (setting_key, repr(config))
    if cache_key not in _built:
        _built[cache_key] = tuple(build(entry) for entry in config)
    return _built[cache_key]
