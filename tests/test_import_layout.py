"""No import circles among the dashboard's modules (issue 20.7): every `import` and `from … import`
of a module, at its top or inside a function (a deferred import still ties the two together), is
an edge; the graph has no cycle.  A piece two modules share goes into a third, or is passed in."""
from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "dashboard"


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, modules: set[str], root: Path = ROOT) -> set[str]:
    """The dashboard modules `path` imports: `from dashboard.store import accounts` names the
    module dashboard.store.accounts, `from dashboard.store import now` the package itself."""
    here = module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            for a in node.names:
                if f"{source}.{a.name}" in modules:
                    out.add(f"{source}.{a.name}")
                elif source in modules:
                    out.add(source)
    out.discard(here)
    return out


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports(path, set(files)) for name, path in files.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_cycle_finder_finds_circles_direct_and_roundabout():
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"jobs": {"read", "tasks"}, "tasks": {"read"}, "read": {"jobs"}}) == [["jobs", "read", "tasks"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_a_deferred_import_is_an_edge(tmp_path):
    pkg = tmp_path / "dashboard" / "store"
    pkg.mkdir(parents=True)
    (tmp_path / "dashboard" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("def now(): ...\n")
    (pkg / "accounts.py").write_text("from dashboard.store import now\n\ndef f():\n    from . import sessions\n")
    (pkg / "sessions.py").write_text("from dashboard.store import accounts\n")
    modules = {"dashboard", "dashboard.store", "dashboard.store.accounts", "dashboard.store.sessions"}
    assert imports(pkg / "accounts.py", modules, tmp_path) == {"dashboard.store", "dashboard.store.sessions"}
    assert imports(pkg / "sessions.py", modules, tmp_path) == {"dashboard.store.accounts"}


def test_no_import_cycle_among_dashboard_modules():
    edges = graph()
    assert len(edges) > 80 and edges["dashboard.ingest.jobs"] >= {"dashboard.ingest.read", "dashboard.ingest.tasks"}
    assert cycles(edges) == []
