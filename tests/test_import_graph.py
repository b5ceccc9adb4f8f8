"""tools/import_graph.py: the package has no import cycle and nothing imports upward."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from conftest import ROOT

TOOL = ROOT / "tools" / "import_graph.py"


def _tool():
    spec = importlib.util.spec_from_file_location("import_graph", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_passes():
    run = subprocess.run([sys.executable, str(TOOL)], capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert run.returncode == 0, run.stderr
    assert "problem(s)" not in run.stdout.splitlines()[-1] or "nothing new" in run.stdout.splitlines()[-1]


def test_a_known_problem_that_is_gone_fails(monkeypatch):
    tool = _tool()
    monkeypatch.setitem(tool.KNOWN, "import cycle: cellref <-> errors", "a stale entry")
    assert tool.main(["--quiet"]) == 1


def test_deferred_and_relative_imports_are_edges():
    tool = _tool()
    known = tool.modules()
    graph = {name: tool.imports(name, path, known) for name, path in known.items()}
    assert "profile" in graph["scoring"]  # `from .profile import …`
    assert "pipeline" in graph["api"]  # inside validate_file
    assert "cellref" in graph["checks.context"]  # `from selfeval_xlsx import cellref`
    assert "layout" in graph["checks.weights"]  # `from selfeval_xlsx import layout`
    assert "checks.context" in graph["checks"]  # `from selfeval_xlsx.checks.context import …` (a package's module)


def test_a_cycle_an_upward_import_and_an_unplaced_module_are_reported():
    tool = _tool()
    known = {name: ROOT / "selfeval_xlsx" / f"{name}.py" for name in ("errors", "cellref", "checks", "novel")}
    graph = {"errors": {"cellref": 1}, "cellref": {"errors": 2, "checks": 3}, "checks": {}, "novel": {}}
    found = tool.problems(graph, known)
    assert any("import cycle: cellref <-> errors" in line for line in found), found
    assert any("upward import: cellref (base) imports checks (checking)" in line for line in found), found
    assert any(line.startswith("novel: in no layer") for line in found), found


def test_the_readme_module_table_names_every_module():
    """The README's 项目结构 table is the map of the package: a module it does
    not name (or a name of a module that is gone) fails here."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 项目结构"):text.index("\n## ", text.index("## 项目结构") + 1)]
    named = set(re.findall(r"`([\w/]+?)(?:\.py)?`", section))
    package = ROOT / "selfeval_xlsx"
    modules = {p.stem for p in package.glob("*.py") if p.stem not in ("__init__", "__main__")}
    folders = {p.name + "/" for p in package.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    missing = sorted(m for m in modules if m not in named) + sorted(f for f in folders if f not in named)
    assert not missing, f"README 项目结构 does not name: {missing}"
    gone = sorted(n for n in re.findall(r"`(\w+)\.py`", section) if n not in modules | {"__init__"})
    assert not gone, f"README 项目结构 names modules that do not exist: {gone}"
