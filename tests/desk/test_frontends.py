"""Front ends register themselves through entry points (issue 9 item 7): desk/ names none of
them and reads no private argparse attributes."""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import sys
import types
from pathlib import Path

import pytest

from desk import cli, frontends
from desk.frontends import GROUP, declared_entry_points, load_frontends

DESK = Path(frontends.__file__).resolve().parent
FRONT_ENDS = ("kiosk", "voice", "devices", "speech")


def test_desk_imports_and_names_no_front_end() -> None:
    for path in sorted(DESK.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names = [node.value] if node.value.endswith(".cli") else []
            else:
                continue
            bad = [n for n in names if n.split(".")[0] in FRONT_ENDS]
            assert not bad, f"{path.name} names {bad}"


def test_no_private_argparse_attributes_are_read() -> None:
    for path in sorted(DESK.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert "._subparsers" not in text and "_group_actions" not in text, path.name


def test_the_entry_points_are_declared_in_pyproject() -> None:
    eps = declared_entry_points()
    assert {e.name: e.value for e in eps} == {
        "devices": "devices.cli",
        "kiosk": "kiosk.cli",
        "voice": "voice.cli",
    }


def test_without_installed_metadata_the_source_tree_declares_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An editable install made before the group existed: pyproject.toml is read instead."""
    monkeypatch.setattr(importlib.metadata, "entry_points", lambda **_: [])
    assert {e.name for e in declared_entry_points()} == {"devices", "kiosk", "voice"}
    assert declared_entry_points(tmp_path / "pyproject.toml") == []  # a wheel install: none


def test_every_front_end_adds_its_own_subcommands() -> None:
    parser = cli.build_parser()
    assert parser.parse_args(["kiosk", "--windowed"]).windowed
    assert parser.parse_args(["hotline", "--no-dialer"]).no_dialer
    assert parser.parse_args(["sim", "--seconds", "1"]).seconds == 1.0
    assert parser.parse_args(["devices", "ports"]).action == "ports"
    names = [f.name for f in load_frontends()]
    assert names == ["devices", "kiosk", "voice"]
    assert [f.name for f in load_frontends() if f.demo] == ["kiosk"]


def test_a_new_front_end_is_one_entry_point(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("lobby_tablet_cli")
    ran: list[object] = []

    def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
        sub.add_parser("tablet").set_defaults(func=lambda a, s: 0)

    module.register = register  # type: ignore[attr-defined]
    module.status_lines = lambda settings: ["平板: 在线"]  # type: ignore[attr-defined]
    module.demo = lambda settings: ran.append(settings) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lobby_tablet_cli", module)
    ep = importlib.metadata.EntryPoint("tablet", "lobby_tablet_cli", GROUP)
    broken = importlib.metadata.EntryPoint("gone", "no_such_module_here", GROUP)
    monkeypatch.setattr(frontends, "declared_entry_points", lambda: [ep, broken])
    assert cli.build_parser().parse_args(["tablet"]).command == "tablet"
    assert cli._plugin_status(object()) == ["平板: 在线"]  # type: ignore[arg-type]
    settings = types.SimpleNamespace(store=types.SimpleNamespace(data_dir=Path("/nonexistent")))
    monkeypatch.setattr(cli, "cmd_init", lambda args, s: 0)
    assert cli.cmd_demo(argparse.Namespace(), settings) == 0  # type: ignore[arg-type]
    assert ran == [settings]
