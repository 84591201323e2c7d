"""Lighthouse (npm `lighthouse`, driving Debian's chromium) on the web client's main pages at
mobile settings, against a local stack with a listing on it. Prints the four category scores per
page and writes them to test-results/lighthouse.json (README records them). A measurement, not a
test: scores depend on the machine.

    make lighthouse            # installs lighthouse into .local/lighthouse on first use
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tombola_dev.demo import Demo
from tombola_dev.process import running_stack

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / ".local" / "lighthouse"
OUT = ROOT / "test-results" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PACKAGE = "lighthouse@12"
NPM = shutil.which("npm") or "npm"


def lighthouse_bin() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        TOOL.mkdir(parents=True, exist_ok=True)
        print(f"installing {PACKAGE} into {TOOL} …", flush=True)
        subprocess.run(  # noqa: S603 - npm with fixed arguments
            [NPM, "install", "--no-audit", "--no-fund", "--prefix", str(TOOL), PACKAGE],
            check=True,
        )
    return binary


def chromium() -> str:
    found = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found:
        sys.exit("lighthouse needs Chromium: `sudo apt-get install -y chromium`")
    return found


def measure(binary: Path, url: str, name: str) -> dict[str, int]:
    report = OUT / f"{name}.json"
    subprocess.run(  # noqa: S603 - our own tool, fixed arguments
        [
            str(binary),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": chromium()},
    )
    found = json.loads(report.read_text())["categories"]
    return {c: round(100 * (found[c]["score"] or 0)) for c in CATEGORIES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    binary = lighthouse_bin()
    OUT.mkdir(parents=True, exist_ok=True)
    log = ROOT / ".local" / "lighthouse-stack.log"
    scores: dict[str, dict[str, int]] = {}
    with running_stack(log) as stack:
        demo = Demo(stack.url, buyers=1, seed=1)
        lid = demo.create("Film camera", 3600, price=120_000, expected_entrants=10, ticket_limit=3)
        pages = {
            "browse": "/#/",
            "listing": f"/#/listing/{lid}",
            "how-it-works": "/#/how",
            "draw": f"/#/draw/{lid}",
            "sign-in": "/#/signin",
        }
        for name, path in pages.items():
            print(f"lighthouse {name} …", flush=True)
            scores[name] = measure(binary, stack.url + path, name)
    (OUT.parent / "lighthouse.json").write_text(json.dumps(scores, indent=2) + "\n")
    print(f"\n| page | {' | '.join(CATEGORIES)} |\n|---|{'---|' * len(CATEGORIES)}")
    for name, s in scores.items():
        print(f"| {name} | {' | '.join(str(s[c]) for c in CATEGORIES)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
