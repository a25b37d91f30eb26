"""Each allocation method is one module, found through the registry by its ``kind``: the per-person
engine, the population engine and the loader name no method of their own (issue 18.7)."""

import ast
import typing
from pathlib import Path

from selfdirect.policies.engine.methods import METHODS, AllocationMethod, schema_kinds
from selfdirect.policies.engine.schema import Method

ENGINE = Path(__file__).resolve().parents[2] / "src" / "selfdirect" / "policies" / "engine"
METHOD_CLASSES = {cls.__name__ for cls in typing.get_args(typing.get_args(Method)[0])}


def test_each_kind_the_schema_accepts_is_one_module():
    assert set(METHODS) == schema_kinds() == {
        "points", "bands", "matrix", "diminishing_schedule", "traditional_services", "fixed", "share_of_stream",
    }  # fmt: skip
    for kind, method in METHODS.items():
        assert method.kind == kind
        assert type(method).__module__.startswith("selfdirect.policies.engine.methods.")
    assert len({type(m).__module__ for m in METHODS.values()}) == len(METHODS)


def test_a_method_is_vectorised_exactly_when_it_has_a_population_form():
    for method in METHODS.values():
        assert (type(method).population is not AllocationMethod.population) == method.vectorised, method.kind


def _engine_modules():
    for path in sorted(ENGINE.rglob("*.py")):
        yield path.relative_to(ENGINE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_only_the_method_modules_test_for_a_method():
    """No isinstance chain over the methods outside their modules. Pot sizing is the one exception:
    it prices points, so it asks for the stream's points method by name."""
    found = set()
    for name, tree in _engine_modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "isinstance"
                and len(node.args) == 2
            ):
                names = {n.id for n in ast.walk(node.args[1]) if isinstance(n, ast.Name)}
                found |= {(name, cls) for cls in names & METHOD_CLASSES}
    assert {f for f in found if not f[0].startswith("methods/")} == {("population.py", "PointsMethod")}


def test_no_private_name_is_imported_from_another_module():
    imported = [
        (name, node.module, alias.name)
        for name, tree in _engine_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.name.startswith("_") and node.module != "__future__"
    ]
    assert imported == []
