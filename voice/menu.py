"""Menus as data: a table per menu (prompt, keys, spoken words, next step)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from voice.prompts import PROMPTS_DIR


@dataclass(frozen=True)
class Option:
    key: str
    next: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Menu:
    name: str
    prompt: str
    options: tuple[Option, ...]
    timeout_s: float = 6.0
    retries: int = 3
    """Tries in all; after the last invalid or silent one, go to ``on_fail``."""
    on_fail: str = "flow:operator"
    emergency: bool = True
    """`*` and the emergency words are live in this menu (E1)."""
    quiet: bool = False
    """No 没有听到/输入有误/没能听清 prompts on a timeout or a miss: the T4 menu, whose
    caller may not understand Mandarin; the caller's silence is the answer."""

    def by_key(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)

    def by_word(self, word: str) -> Option | None:
        return next((o for o in self.options if word in o.words), None)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for o in self.options for w in o.words)


def load_menus(directory: Path | None = None) -> dict[str, Menu]:
    doc = tomllib.loads(((directory or PROMPTS_DIR) / "menus.toml").read_text(encoding="utf-8"))
    menus = {}
    for name, t in doc.items():
        options = tuple(
            Option(str(o["key"]), str(o["next"]), tuple(o.get("words", ()))) for o in t["options"]
        )
        keys = [o.key for o in options]
        if len(set(keys)) != len(keys):
            raise ValueError(f"menu {name}: duplicate keys {keys}")
        menus[name] = Menu(
            name=name,
            prompt=t["prompt"],
            options=options,
            timeout_s=float(t.get("timeout_s", 6.0)),
            retries=int(t.get("retries", 3)),
            on_fail=t.get("on_fail", "flow:operator"),
            emergency=bool(t.get("emergency", True)),
            quiet=bool(t.get("quiet", False)),
        )
    return menus
