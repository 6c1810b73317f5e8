"""Typer's parameter coercion, without pydantic for the plain types our commands use.

Typer 0.29 turns every command-line value into its Python type through a pydantic TypeAdapter,
and importing pydantic and building the adapters is most of the start-up time of a command such
as `cpd modules`. Almost every value we take is already of its type (flags are bools) or needs
one obvious step (a string to a Path or an int). `fast_runtime_param` does that step itself and
hands anything else — an unusual value, a choice, a date, a range error — to typer's own adapter,
built on first use, so what a value means and every error message stay exactly typer's.

This reaches into typer's internals (typer.core.build_runtime_param, typer._coercion), so
pyproject.toml pins typer to the minor version it was tested with.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Union, get_args, get_origin

import typer.core
from typer import _coercion
from typer._param_types import coerce_cli_path

_original_build = _coercion.build_runtime_param
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")
_MISS = object()


def _plain_path(info: Any) -> bool:
    """A Path option with none of typer's checks asked for (exists, file_okay=False, …)."""
    return (
        not info.exists
        and info.file_okay
        and info.dir_okay
        and not info.writable
        and not info.resolve_path
        and not info.allow_dash
        and info.path_type is None
        and info.parser is None
    )


def _quick_for(annotation: Any, info: Any) -> Callable[[Any, Any, Any], Any] | None:
    """A converter for one plain annotation that returns _MISS when it cannot be sure."""
    if info.parser is not None:
        return None
    if annotation is str:
        return lambda value, param, ctx: value if isinstance(value, str) else _MISS
    if annotation is bool:
        return lambda value, param, ctx: value if isinstance(value, bool) else _MISS
    if annotation is int and info.min is None and info.max is None and not info.clamp:
        return _quick_int
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        members = {m.value: m for m in annotation if isinstance(m.value, str)}
        return lambda value, param, ctx: (
            value if isinstance(value, annotation) else members.get(value, _MISS)
        )
    if isinstance(annotation, type) and issubclass(annotation, Path) and _plain_path(info):

        def quick_path(value: Any, param: Any, ctx: Any) -> Any:
            if not isinstance(value, (str, Path)):
                return _MISS
            path = value if isinstance(value, annotation) else annotation(value)
            return coerce_cli_path(path, info, path_type=annotation, param=param, ctx=ctx)

        return quick_path
    return None


def _quick_int(value: Any, param: Any, ctx: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
        return int(value)
    return _MISS


@dataclass(frozen=True)
class FastRuntimeParam(_coercion.RuntimeParam):
    """Converts plain values itself; anything else goes to typer's own (pydantic) coercion."""

    quick: Callable[[Any, Any, Any], Any] = field(default=lambda v, p, c: _MISS)
    many: bool = False
    descriptor: Any = None
    _slow: list[Any] = field(default_factory=list)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        if self.many and isinstance(value, (list, tuple)):
            items = [self.quick(item, param, ctx) for item in value]
            if all(item is not _MISS for item in items):
                return items
        elif not self.many:
            result = self.quick(value, param, ctx)
            if result is not _MISS:
                return result
        if not self._slow:
            self._slow.append(_original_build(self.descriptor))
        return self._slow[0]._coerce_value(value, param=param, ctx=ctx)


def fast_runtime_param(descriptor: Any) -> Any:
    if descriptor.file_annotation is not None:
        return _original_build(descriptor)
    annotation, info = _not_none(descriptor.annotation), descriptor.parameter_info
    many = get_origin(annotation) is list
    quick = _quick_for(get_args(annotation)[0] if many else annotation, info)
    if quick is None:
        return _original_build(descriptor)
    return FastRuntimeParam(
        parameter_info=info,
        annotation=descriptor.annotation,
        quick=quick,
        many=many,
        descriptor=descriptor,
    )


def _not_none(annotation: Any) -> Any:
    """`X` for `Optional[X]`: typer itself turns a missing value into None (or ()) before any
    coercion, so every value that reaches it is an X."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return annotation


def install() -> None:
    """Make typer build our runtime parameters (idempotent)."""
    typer.core.build_runtime_param = fast_runtime_param  # type: ignore[attr-defined]
