"""docs/MODULES.md lists every module with its docstring's first line, and stays true to the code."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
index = runpy.run_path(str(ROOT / "scripts" / "module-index"), run_name="module_index")["index"]


def test_the_module_index_is_up_to_date():
    written = (ROOT / "docs" / "MODULES.md").read_text(encoding="utf-8")
    assert written == index(), "docs/MODULES.md is out of date: run scripts/module-index"


def test_every_module_says_what_it_is_for():
    missing = [line for line in index().splitlines() if "(no docstring)" in line]
    assert not missing, "give these modules a docstring:\n" + "\n".join(missing)
