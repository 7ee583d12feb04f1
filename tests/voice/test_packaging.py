"""The prompts ship as package data of the shared `assets` package: found through
importlib.resources in a source tree, an editable install and a plain (non-editable) wheel
install; the front ends' entry points ship in the wheel's metadata (issue 9 items 5, 7)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from voice.menu import load_menus
from voice.prompts import PROMPTS_DIR, Prompts

ROOT = Path(__file__).resolve().parents[2]


def test_prompts_are_package_data_of_assets():
    d = resources.files("assets") / "prompts"
    assert (d / "prompts.toml").is_file() and (d / "menus.toml").is_file()
    assert Path(str(d)) == PROMPTS_DIR
    assert "main" in load_menus() and "greeting" in Prompts(None).texts


@pytest.mark.slow
def test_wheel_install_finds_the_prompts(tmp_path):
    """Build a wheel from a copy of the tree (as `pip install .` does), unpack it as an
    installer would, and load prompts and menus from there, not from the source tree."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for pkg in ("desk", "kiosk", "voice", "devices", "speech", "assets"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=ignore)
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(src)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if built.returncode and "satisfies the requirement setuptools" in built.stderr:
        pytest.skip("no package index for the build backend (setuptools, wheel)")
    assert built.returncode == 0, built.stderr[-2000:]
    [wheel] = wheels.glob("reception_terminal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "assets/prompts/prompts.toml" in names
    assert "assets/prompts/menus.toml" in names
    [entry_points] = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "[reception.frontends]" in zipfile.ZipFile(wheel).read(entry_points).decode()
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import sys, voice, assets; from voice.prompts import PROMPTS_DIR, Prompts;"
        "from voice.menu import load_menus;"
        "assert voice.__file__.startswith(sys.argv[1]), voice.__file__;"
        "assert assets.__file__.startswith(sys.argv[1]), assets.__file__;"
        "assert str(PROMPTS_DIR).startswith(sys.argv[1]), PROMPTS_DIR;"
        "print(len(load_menus()), len(Prompts(None).texts))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(site)],
        check=True, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, cwd=tmp_path,
    ).stdout.split()  # fmt: skip
    assert int(out[0]) >= 10 and int(out[1]) >= 40
