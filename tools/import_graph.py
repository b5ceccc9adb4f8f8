"""The package's import graph, checked against its layers.

    python tools/import_graph.py            # the layers, each module's imports; exit 1 on a problem
    python tools/import_graph.py --quiet    # only the problems

Reads every module of ``selfeval_xlsx`` with ``ast`` (nothing is imported),
including imports inside functions (a deferred import is still a
dependency; only those under ``if TYPE_CHECKING:`` are left out, they never
run), and resolves ``from selfeval_xlsx import x`` and relative imports to the
module they name.  It then checks:

* no cycle among the package's modules (counting every import, deferred
  ones too);
* no upward import: a module imports only modules of its own layer or of
  the layers below (``LAYERS``, lowest first);
* every module has a layer (a new module is placed in ``LAYERS`` when it is
  added).

A problem listed in ``KNOWN`` (with why it is there and what removes it) is
printed but does not fail; a ``KNOWN`` entry that no longer occurs fails, so
the list only shrinks.  Exit status 1 on any other problem, 0 otherwise.
``tests/test_import_graph.py`` runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "selfeval_xlsx"

# lowest first; a module may import its own layer and those below.  Names of
# modules that do not exist (yet) are allowed: they place modules that other
# branches are adding.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("base: no knowledge of forms", (
        "errors", "cellref", "lazyre", "record", "atomic", "paths", "display", "pool", "ooxml", "ooxml.*",
    )),
    ("model: what a form is and the rules it follows", (
        "model", "rules", "values", "profile", "layout",
    )),
    ("reading: files into the model", (
        "formula", "biff", "rawbook", "loading_scan", "loading_native", "loading_zip", "loading",
        "xls", "xls_package", "xls_sheet", "xls_styles",
        "reader_labels", "reader_sheet", "reader_head", "reader_funds", "reader_indicators", "reader_totals", "reader",
    )),
    ("checking: the model into findings", (
        "scoring", "results", "checks", "checks.*",
    )),
    ("output: findings into text, tables and workbooks; whole files and folders", (
        "report", "table", "splice", "streamtable", "review_sheet", "writer", "summary_stats", "summary",
        "fill", "pipeline",
        "api", "batch", "export_sinks", "export", "prefill_source", "prefill", "template_plan", "template_pages", "template",
    )),
    ("front: what a user calls", (
        "web_upload", "web_results", "web", "cli", "commands", "commands.*", PACKAGE, "__main__",
    )),
]


# problem line -> why it is tolerated for now and what removes it
KNOWN: dict[str, str] = {}


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under ``if TYPE_CHECKING:`` (never run)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                for inner in ast.walk(child):
                    skipped.add(id(inner))
    return skipped


def module_name(path: Path) -> str:
    """``selfeval_xlsx/commands/batch.py`` -> ``commands.batch``; the package itself is ``selfeval_xlsx``."""
    parts = list(path.relative_to(ROOT / PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts) or PACKAGE


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The package module an absolute dotted name refers to (its longest known prefix), or None."""
    if name == PACKAGE:
        return PACKAGE
    if not name.startswith(PACKAGE + "."):
        return None
    parts = name[len(PACKAGE) + 1:].split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return PACKAGE


def imports(name: str, path: Path, known: dict[str, Path]) -> dict[str, int]:
    """The package modules ``name`` imports -> the line of the first such import."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    here = [PACKAGE] + ([] if name == PACKAGE else name.split("."))
    if not is_package:
        here = here[:-1]  # a module's relative imports start at its package
    found: dict[str, int] = {}
    skipped = _type_checking_only(tree)

    def add(target: str | None, line: int) -> None:
        if target is not None and target != name:
            found.setdefault(target, line)

    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(_resolve(alias.name, known), node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for alias in node.names:  # `from pkg import submodule` names the submodule
                sub = _resolve(f"{source}.{alias.name}", known)
                if sub is not None and sub != _resolve(source, known):
                    add(sub, node.lineno)
                else:
                    add(_resolve(source, known), node.lineno)
    return found


def layer_of(name: str) -> int | None:
    for index, (_, names) in enumerate(LAYERS):
        for pattern in names:
            if name == pattern or (pattern.endswith(".*") and name.startswith(pattern[:-1])):
                return index
    return None


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan), as a sorted list."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def problems(graph: dict[str, dict[str, int]], known: dict[str, Path]) -> list[str]:
    found = []
    for name in sorted(graph):
        if layer_of(name) is None:
            found.append(f"{name}: in no layer (add it to LAYERS in tools/import_graph.py)")
    for name, targets in sorted(graph.items()):
        mine = layer_of(name)
        for target, line in sorted(targets.items()):
            theirs = layer_of(target)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{known[name].relative_to(ROOT)}:{line}: upward import: {name} "
                             f"({LAYERS[mine][0].split(':')[0]}) imports {target} ({LAYERS[theirs][0].split(':')[0]})")
    for group in cycles(graph):
        found.append(f"import cycle: {' <-> '.join(group)}")
    return found


def main(argv: list[str]) -> int:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    if "--quiet" not in argv:
        for index, (title, _) in enumerate(LAYERS):
            members = sorted(n for n in graph if layer_of(n) == index)
            print(f"{index} {title}")
            for name in members:
                targets = ", ".join(sorted(graph[name])) or "-"
                print(f"    {name:24} -> {targets}")
    found = problems(graph, known)
    failing = [line for line in found if line not in KNOWN]
    failing += [f"{line}: listed in KNOWN but no longer found: remove it from KNOWN" for line in KNOWN
                if line not in found]
    for line in found:
        if line in KNOWN:
            print(f"known: {line} ({KNOWN[line]})", file=sys.stderr)
    for line in failing:
        print(line, file=sys.stderr)
    if "--quiet" not in argv:
        tolerated = len(found) - len([line for line in found if line not in KNOWN])
        verdict = (f"{len(failing)} problem(s)" if failing
                   else f"nothing new ({tolerated} known problem(s), listed in KNOWN)" if tolerated
                   else "no cycle, nothing imports upward")
        print(f"{len(graph)} modules, {sum(map(len, graph.values()))} imports: {verdict}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
