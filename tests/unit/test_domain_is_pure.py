"""Pure domain modules import nothing from AWS; only tombola.adapters (and tombola.local, the
machinery that runs template.yaml on moto) may."""

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
    impure = {"adapters", "local"}
    pure = [p for p in DOMAIN.rglob("*.py") if not impure & set(p.relative_to(DOMAIN).parts)]
    assert len(pure) >= 10
    offenders = {p.name: imported_roots(p) & FORBIDDEN for p in pure}
    assert {k: v for k, v in offenders.items() if v} == {}
