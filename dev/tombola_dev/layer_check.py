"""`make layer-check`: the deployed layer is runtime-only.

1. `sam build`'s layer (.aws-sam/build/DomainLayer/python) holds the tombola package and the
   packages layers/domain/requirements.txt pins, and nothing of development: no tombola_dev, no
   test or emulator library.
2. In a fresh virtualenv holding only those pinned packages (plus boto3, which Lambda's runtime
   provides) every module of the layer and every function's handler module imports, with the
   environment template.yaml gives that function.

    python -m tombola_dev.layer_check --venv .venv-layer
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

from tombola_dev.template import ROOT, Template

BUILT = ROOT / ".aws-sam/build/DomainLayer/python"
DEV_PACKAGES = ("tombola_dev", "moto", "pytest", "yaml", "jwt", "hypothesis", "schemathesis")

IMPORT_ALL = """
import importlib, importlib.util, json, os, pkgutil, sys
import tombola
for m in pkgutil.walk_packages(tombola.__path__, "tombola."):
    importlib.import_module(m.name)
for name, env in json.loads(sys.argv[1]).items():
    os.environ.update(env)
    path = sys.argv[2] + "/" + name + "/app.py"
    spec = importlib.util.spec_from_file_location("fn_" + name, path)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
dev = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[3].split(",")))
assert not dev, f"development packages imported: {dev}"
print(f"the layer and {len(json.loads(sys.argv[1]))} functions import with runtime packages only")
"""


def check_built() -> list[str]:
    problems = []
    if not (BUILT / "tombola").is_dir():
        problems.append(f"{BUILT} has no tombola package: run sam build first")
    for name in DEV_PACKAGES:
        if (BUILT / name).exists():
            problems.append(f"the built layer contains {name}")
    pinned = {
        re.split(r"[=\[]", line, maxsplit=1)[0].lower().replace("-", "_")
        for line in (ROOT / "layers/domain/requirements.txt").read_text().splitlines()
        if re.match(r"^[A-Za-z0-9]", line)
    }
    for dist in BUILT.glob("*.dist-info"):
        name = dist.name.split("-")[0].lower()
        if name not in pinned:
            problems.append(f"the built layer contains {dist.name}, which the lock does not pin")
    return problems


def check_imports(venv: Path) -> None:
    python = venv / "bin/python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)  # noqa: S603
    requirements = ROOT / "layers/domain/requirements.txt"
    subprocess.run(  # noqa: S603 - our own paths
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements), "boto3"],
        check=True,
    )
    template = Template.load()
    environments = {
        Path(fn.code_uri).name: {
            **fn.stand_in_environment(template.parameters),
            "AWS_DEFAULT_REGION": "us-east-1",
        }
        for fn in template.functions().values()
    }
    subprocess.run(  # noqa: S603 - our own paths
        [
            str(python),
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT / 'layers/domain')!r}); " + IMPORT_ALL,
            json.dumps(environments),
            str(ROOT / "functions"),
            ",".join(DEV_PACKAGES),
        ],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--venv", type=Path, default=ROOT / ".venv-layer", help="the bare virtualenv")
    args = p.parse_args(argv)
    problems = check_built()
    for problem in problems:
        print(f"layer check: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{BUILT.relative_to(ROOT)}: tombola and the locked runtime packages only")
    check_imports(args.venv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
