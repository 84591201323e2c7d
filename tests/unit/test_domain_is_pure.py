"""Pure domain modules import nothing from AWS; only tombola.adapters may. The layer holds no
development code (the local stack lives in dev/tombola_dev, outside it)."""

from __future__ import annotations

import ast
from pathlib import Path

import tombola

DOMAIN = Path(tombola.__file__).parent
FORBIDDEN = {"boto3", "botocore", "aws_lambda_powertools", "moto"}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_pure_modules_do_not_import_aws() -> None:
    impure = {"adapters"}
    pure = [p for p in DOMAIN.rglob("*.py") if not impure & set(p.relative_to(DOMAIN).parts)]
    assert len(pure) >= 10
    offenders = {p.name: imported_roots(p) & FORBIDDEN for p in pure}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_layer_imports_nothing_of_development() -> None:
    dev_only = {"tombola_dev", "moto", "yaml", "jwt", "pytest", "hypothesis", "tests", "bench"}
    offenders = {
        str(p.relative_to(DOMAIN)): imported_roots(p) & dev_only for p in DOMAIN.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
