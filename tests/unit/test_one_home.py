"""One home per rule: every name the deployed code defines is used by the product itself (the
layer, the functions, or the local stack in dev/). A symbol only tests call is either dead or a
second copy of a rule the product computes elsewhere, the tests checking the copy."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = [ROOT / "layers/domain/tombola", ROOT / "functions"]
USERS = [*DEPLOYED, ROOT / "dev/tombola_dev"]
# Reached from outside the product's Python: template.yaml's handlers; and the store's scan of
# the whole journal, an audit (the conservation check after every test scenario).
ENTRY_POINTS = {"handler", "all_journal_entries"}


def _files(roots: list[Path]) -> list[Path]:
    return sorted(p for r in roots for p in r.rglob("*.py") if "__pycache__" not in p.parts)


def defined() -> dict[str, list[str]]:
    """Top-level functions, classes and constants, and the public methods of classes."""
    found: dict[str, list[str]] = {}
    for path in _files(DEPLOYED):
        where = str(path.relative_to(ROOT))
        for node in ast.parse(path.read_text()).body:
            names: list[str] = []
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.decorator_list:
                names.append(node.name)  # (a decorated function is a route, reached by HTTP)
            if isinstance(node, ast.ClassDef):
                names += [
                    f.name
                    for f in node.body
                    if isinstance(f, ast.FunctionDef)
                    and not f.name.startswith("_")
                    and not f.decorator_list
                ]
            elif isinstance(node, ast.Assign):
                names += [t.id for t in node.targets if isinstance(t, ast.Name)]
            for name in names:
                found.setdefault(name, []).append(where)
    return found


def used() -> set[str]:
    """Every name the product's code refers to, outside the statement that defines it."""
    names: set[str] = set()
    for path in _files(USERS):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Name):
                names.add(node.id)
            elif isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.alias):
                names.add(node.name.split(".")[-1])
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)
    return names


def test_no_deployed_symbol_is_used_only_by_tests() -> None:
    referenced = used() | ENTRY_POINTS
    unused = {
        name: where
        for name, where in defined().items()
        if name not in referenced and not name.startswith("__")
    }
    assert unused == {}
