"""One locked dependency set: requirements/dev.txt pins everything (runtime and development);
the layer's requirements are its runtime part, with the same versions, and nothing else."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEV_ONLY = {"moto", "pytest", "hypothesis", "pyyaml", "pyjwt", "schemathesis", "ruff", "mypy"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line):
            pins[_name(m.group(1))] = m.group(2)
    return pins


def _project() -> dict[str, list[str]]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {"runtime": data["dependencies"], "dev": data["optional-dependencies"]["dev"]}


def test_the_layer_pins_exactly_the_runtime_part_of_the_lock() -> None:
    lock = _pins(ROOT / "requirements/dev.txt")
    layer = _pins(ROOT / "layers/domain/requirements.txt")
    for name in map(_name, _project()["runtime"]):
        assert name in layer, f"{name} is a runtime dependency the layer does not pin"
    for name, version in layer.items():
        assert lock.get(name) == version, f"{name}: layer {version}, lock {lock.get(name)}"
    assert not DEV_ONLY & layer.keys(), "a development tool in the deployed layer"


def test_the_lock_pins_every_declared_dependency_and_the_venv_runs_the_lock() -> None:
    lock = _pins(ROOT / "requirements/dev.txt")
    project = _project()
    for name in map(_name, project["runtime"] + project["dev"]):
        assert name in lock, f"{name} is declared in pyproject.toml but not locked: make lock"
    for name in map(_name, project["runtime"] + project["dev"]):
        installed = metadata.version(name)
        assert installed == lock[name], f"{name} {installed} installed, {lock[name]} locked"
