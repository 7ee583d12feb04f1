"""Name entry on the pinyin keyboard: median taps for 200 common names, before and after names
are known to the name field (issue 16 item 7).

Run: .venv/bin/python bench/pinyin.py [--baseline PATH/TO/old/pinyin_ime.py]

"before" is the keyboard as every text field has it (no idea that the field holds a name);
"after" is the name field (``context="name"``: surnames, given-name characters, whole names).
``--baseline`` also measures another version of ``kiosk/pinyin_ime.py`` (e.g. the main
branch's) with the same typing model. Taps = letters typed + page turns + candidate taps.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.ime_harness import common_names, measure  # noqa: E402


def baseline_fn(path: Path):  # noqa: ANN201 - a candidates function of another IME version
    spec = importlib.util.spec_from_file_location("baseline_pinyin_ime", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    # its index is built here, into a cache file of its own (never the shared one)
    module._in_child = True
    cache = Path(tempfile.mkdtemp(prefix="bench-pinyin-")) / "baseline.pickle"
    module._index = module.PinyinIndex.load(cache)
    return lambda letters, limit, _context, _start: module.candidates(letters, limit)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="another kiosk/pinyin_ime.py to measure")
    args = parser.parse_args()
    names = common_names()
    rows = []
    if args.baseline:
        rows.append(("baseline " + str(args.baseline), "", baseline_fn(args.baseline)))
    rows += [("before (text field)", "", None), ("after (name field)", "name", None)]
    print(f"{len(names)} names, e.g. {', '.join(names[:3])} ... {names[-1]}")
    print(f"{'':38} {'median taps':>11} {'1st page':>9} {'failed':>7} {'s':>6}")
    for label, context, fn in rows:
        t0 = time.perf_counter()
        s = measure(names, context, fn)
        dt = time.perf_counter() - t0
        print(
            f"{label[:38]:38} {s.median_taps:11.1f} {s.first_page_share:9.1%} {s.failed:7d} {dt:6.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
