"""The shape of the code (DESIGN.md, "Structure"): imports point one way. Read from the source as
text, every import counted wherever it stands (inside a function too), migrations left out (they
record history). Fails on any cycle between apps, or between two modules of one app, naming it."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings

SRC = Path(settings.BASE_DIR).parent  # src/
PACKAGE = "selfdirect"
# Not apps: the project's own wiring, which imports everything and nothing imports.
TOP = {"settings", "urls", "wsgi", "asgi"}
def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / PACKAGE).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project's modules ``name`` imports, resolved to the modules that exist."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            candidates = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in MODULES and "." in candidate:
                candidate = candidate.rsplit(".", 1)[0]
            if candidate in MODULES and candidate != name:
                targets.add(candidate)
    return targets


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _app(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one node (Tarjan), sorted, for the message."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(edges.get(node, ())):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def _why(edges: dict[str, set[str]], group: list[str], name_of=lambda m: m) -> str:
    members = set(group)
    lines = []
    for source, targets in sorted(GRAPH.items()):
        for target in sorted(targets):
            a, b = name_of(source), name_of(target)
            if a in members and b in members and a != b:
                lines.append(f"  {source} -> {target}")
    return "\n".join(lines[:40])


def test_no_two_apps_import_each_other():
    apps: dict[str, set[str]] = defaultdict(set)
    for source, targets in GRAPH.items():
        for target in targets:
            a, b = _app(source), _app(target)
            if a != b and a not in TOP:
                apps[a].add(b)
    cycles = _cycles(apps)
    assert not cycles, "apps that import each other:\n" + "\n".join(
        f"{' <-> '.join(group)} because\n{_why(apps, group, _app)}" for group in cycles
    )


@pytest.mark.parametrize(
    "app",
    sorted({_app(m) for m in MODULES} - TOP - {PACKAGE}),
)
def test_no_two_modules_of_an_app_import_each_other(app):
    inside = {s: {t for t in ts if _app(t) == app} for s, ts in GRAPH.items() if _app(s) == app}
    cycles = _cycles(inside)
    assert not cycles, f"modules of {app} that import each other:\n" + "\n".join(
        f"{' <-> '.join(group)} because\n{_why(inside, group)}" for group in cycles
    )


def test_core_imports_no_domain_app():
    for source, targets in GRAPH.items():
        if _app(source) == "core":
            assert {_app(t) for t in targets} <= {"core"}, f"{source} imports {sorted(targets)}"


def test_the_reader_sees_imports_inside_functions():
    # The check must not be dodged by moving an import into a function: core.views imports
    # core.registry at the top, and people.apps imports people.home inside ready().
    assert "selfdirect.people.home" in GRAPH["selfdirect.people.apps"]
