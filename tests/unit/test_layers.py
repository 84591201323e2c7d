"""The package shows its layers, and imports only ever go down a floor:

    domain/    pure rules: the standard library and itself, nothing else
    api/, state/, config, telemetry    the API's models, what is stored and how it changes
    ports/     the small interfaces the services need
    services/  one module per business step
    adapters/  AWS, the payment providers, HTTP

No two modules share a name, the layer holds nothing of development, and only adapters talk to
AWS."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import tombola

PACKAGE = Path(tombola.__file__).parent
FLOOR = {"domain": 0, "telemetry": 0, "api": 1, "state": 1, "config": 1, "ports": 2}
FLOOR |= {"services": 3, "adapters": 4}
AWS = {"boto3", "botocore", "aws_lambda_powertools", "moto"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def part(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "tombola":
                found |= {f"tombola.{a.name}" for a in node.names}
    return found


def test_every_module_sits_on_a_floor() -> None:
    assert {part(p) for p in modules()} - {"__init__"} <= set(FLOOR)


# Pure computation with no I/O of its own: drand's BLS check of a beacon round (domain/beacon.py).
DOMAIN_LIBRARIES = {"drand_verify"}


def test_the_domain_imports_only_itself_and_the_standard_library() -> None:
    domain = [p for p in modules() if part(p) == "domain"]
    assert len(domain) >= 15
    offenders = {
        p.name: {
            m
            for m in imports(p)
            if m.split(".")[0] not in sys.stdlib_module_names
            and m != "__future__"
            and m not in DOMAIN_LIBRARIES
            and not m.startswith("tombola.domain")
        }
        for p in domain
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_no_import_goes_up_a_floor() -> None:
    offenders = []
    for p in modules():
        if part(p) == "__init__":
            continue
        for m in imports(p):
            names = [*m.split("."), ""]
            floor = FLOOR.get(names[1]) if names[0] == "tombola" else None
            if floor is not None and floor > FLOOR[part(p)]:
                offenders.append(f"{p.relative_to(PACKAGE)} imports {m}")
    assert offenders == []


def test_no_two_modules_share_a_name() -> None:
    seen: dict[str, list[str]] = {}
    for p in modules():
        if p.name != "__init__.py":
            seen.setdefault(p.stem, []).append(str(p.relative_to(PACKAGE)))
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_only_adapters_talk_to_aws() -> None:
    offenders = {
        str(p.relative_to(PACKAGE)): {m.split(".")[0] for m in imports(p)} & AWS
        for p in modules()
        if part(p) != "adapters"
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_layer_imports_nothing_of_development() -> None:
    dev_only = {"tombola_dev", "moto", "yaml", "jwt", "pytest", "hypothesis", "tests", "bench"}
    offenders = {
        str(p.relative_to(PACKAGE)): {m.split(".")[0] for m in imports(p)} & dev_only
        for p in modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}
