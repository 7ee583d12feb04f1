"""Front ends (subcommands, status lines, the demo) found through the `reception.frontends` entry points."""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

log = logging.getLogger(__name__)

GROUP = "reception.frontends"
"""Entry-point group: each entry names a module with ``register(subparsers)`` and, optionally,
``status_lines(settings) -> list[str]`` (for `reception status`) and ``demo(settings) -> int``
(what `reception demo` starts on an install without the built-in kiosk, hotline and
simulators, which desk/launch.py starts together) and ``checks(settings) -> list[desk.golive.Check]`` (the
front end's lines of `reception check`)."""
DIST = "reception-terminal"
SOURCE_PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
"""In a source checkout: read when the installed metadata predates the entry points."""


@dataclass(frozen=True)
class Frontend:
    """One front end as the core sees it: a name and what it offers, nothing it decides."""

    name: str
    register: Callable[[Any], None]
    status_lines: Callable[[Any], list[str]] | None = None
    demo: Callable[[Any], int] | None = None
    checks: Callable[[Any], list[Any]] | None = None

    @classmethod
    def from_module(cls, name: str, module: ModuleType) -> Frontend:
        return cls(
            name,
            module.register,
            getattr(module, "status_lines", None),
            getattr(module, "demo", None),
            getattr(module, "checks", None),
        )


def declared_entry_points(
    pyproject: Path = SOURCE_PYPROJECT,
) -> list[importlib.metadata.EntryPoint]:
    """The group's entry points: from the installed distribution's metadata, else (an
    editable install made before they were declared) from the source tree's pyproject.toml."""
    found = list(importlib.metadata.entry_points(group=GROUP))
    if found:
        return found
    if not pyproject.is_file():
        return []
    doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    if doc.get("project", {}).get("name") != DIST:
        return []
    table = doc["project"].get("entry-points", {}).get(GROUP, {})
    return [importlib.metadata.EntryPoint(str(n), str(v), GROUP) for n, v in table.items()]


def load_frontends(
    entry_points: list[importlib.metadata.EntryPoint] | None = None,
) -> list[Frontend]:
    """Every front end that can be imported here, by name; one that cannot is left out
    (e.g. the kiosk on a machine without Kivy) and logged."""
    out = []
    for ep in sorted(declared_entry_points() if entry_points is None else entry_points,
                     key=lambda e: e.name):  # fmt: skip
        try:
            loaded = ep.load()
        except ImportError as exc:
            log.debug("front end %s not available: %s", ep.name, exc)
            continue
        if not isinstance(loaded, ModuleType) or not callable(getattr(loaded, "register", None)):
            log.warning("entry point %s = %s is not a module with register()", ep.name, ep.value)
            continue
        out.append(Frontend.from_module(ep.name, loaded))
    return out


def register_all(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
    frontends: list[Frontend],
) -> None:
    """Let each front end add its subcommands."""
    for frontend in frontends:
        frontend.register(subparsers)
