"""Turn a source's raw TOML keys into its kind's options dataclass, checking names and types.

Each source kind declares its keys as a frozen dataclass; the field's type is the check, its default
is the one place the default lives, and `metadata={"choices": ...}`, `{"minimum": ...}` or
`{"maximum": ...}` limits the allowed values; a float must be finite (TOML allows nan and inf).
config.py checks its own tables ([settings], [digest], [slack]) the same way.
Hand-written rather than pydantic: the checks are few, and the messages must be plain words for
municipal admins, naming the key and the valid keys.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import types
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any

_DURATION_PART = re.compile(r"(\d+)\s*([smhdw])")
_DURATION_WHOLE = re.compile(r"^\s*(?:\d+\s*[smhdw]\s*)+$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
# The longest interval: a year. Far beyond it the scheduler's date arithmetic overflows.
LONGEST_INTERVAL = timedelta(days=365)


class OptionError(ValueError):
    def __init__(self, message: str, key: str | None = None) -> None:
        self.message = message
        self.key = key
        super().__init__(message)


def parse_duration(value: object, key: str = "every") -> timedelta:
    """'30m', '6h', '1d', '1h30m', '2w' -> timedelta. At least one minute, at most 365 days."""
    if not isinstance(value, str) or not _DURATION_WHOLE.match(value):
        raise OptionError(
            f'{value!r} is not a duration; write a number and a unit, e.g. "30m", "6h", "1d" '
            "(units: s, m, h, d, w)",
            key,
        )
    seconds = sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(value))
    if seconds < 60:
        raise OptionError(f"{value!r} is too short; the shortest interval is 1m", key)
    if seconds > LONGEST_INTERVAL.total_seconds():
        raise OptionError(f"{value!r} is too long; the longest interval is 365d", key)
    return timedelta(seconds=seconds)


def build_options(cls: type, raw: dict[str, Any], extra_valid: tuple[str, ...] = ()) -> Any:
    """Build `cls` from `raw`, rejecting unknown keys, wrong types and values outside choices."""
    # A field's key in the file is its name, or metadata "key" where the name cannot be the
    # key (`from` is a Python keyword).
    fields = {f.metadata.get("key", f.name): f for f in dataclasses.fields(cls)}
    hints = _type_hints(cls)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            valid = ", ".join([*extra_valid, *fields])
            raise OptionError(f"unknown key (valid keys for this kind: {valid})", key)
        name, metadata = fields[key].name, fields[key].metadata
        values[name] = _check(key, value, hints[name], metadata.get("choices"))
        minimum = metadata.get("minimum")
        if minimum is not None and values[name] < minimum:
            raise OptionError(f"must be at least {minimum}", key)
        maximum = metadata.get("maximum")
        if maximum is not None and values[name] > maximum:
            raise OptionError(f"must be at most {maximum}", key)
    missing = [
        key
        for key, f in fields.items()
        if f.name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    if missing:
        raise OptionError("this key is required for this kind", missing[0])
    return cls(**values)


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """A dataclass's field types, evaluated once per class: evaluating the string annotations
    was most of the time of loading thousands of sources."""
    return typing.get_type_hints(cls)


def _check(key: str, value: Any, hint: Any, choices: tuple[str, ...] | None) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        # Optional keys: TOML has no null, so a present value is the inner type.
        inner = next(a for a in args if a is not type(None))
        return _check(key, value, inner, choices)
    if origin in (tuple, list):
        if not isinstance(value, list):
            raise OptionError(f'must be a list such as ["a", "b"], not {value!r}', key)
        inner = args[0]
        return tuple(_check(key, v, inner, choices) for v in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise OptionError(f'must be a table such as {{ "a" = "b" }}, not {value!r}', key)
        return {str(k): _check(key, v, args[1], choices) for k, v in value.items()}
    if hint is timedelta:
        return parse_duration(value, key)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OptionError(f"must be a number, not {value!r}", key)
        if not math.isfinite(value):
            raise OptionError(f"must be a finite number, not {value!r}", key)
        return float(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise OptionError(f"must be true or false, not {value!r}", key)
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise OptionError(f"must be a whole number, not {value!r}", key)
        return value
    if hint is Path:  # relative to the config file; config.py resolves it
        if not isinstance(value, str):
            raise OptionError(f"must be a path in quotes, not {value!r}", key)
        return Path(value)
    if hint is str:
        if not isinstance(value, str):
            raise OptionError(f"must be a text in quotes, not {value!r}", key)
        if choices is not None and value not in choices:
            raise OptionError(f"{value!r} is not allowed (choose from: {', '.join(choices)})", key)
        return value
    raise TypeError(f"option type {hint!r} of key {key!r} is not supported")  # a bug in a kind
