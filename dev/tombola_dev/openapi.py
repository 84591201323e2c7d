"""One OpenAPI document for the whole API: each function's resolver describes its own routes
(Powertools, from the pydantic models and the routes' contract declarations), and Powertools'
OpenAPIMerge joins them. ``python -m tombola_dev.openapi`` rewrites the served copy."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from pydantic import BaseModel

from tombola.adapters import container
from tombola.adapters.contract import SECURITY_SCHEMES
from tombola.api.models import CarrierEventIn
from tombola.ports.payment_provider import PaymentEvent
from tombola_dev.template import ROOT, Template

SERVED = ROOT / "functions" / "openapi" / "openapi.json"
TITLE = "Tombola API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Draw-based commerce: buyers pay a small first payment per ticket to enter a draw; the drawn "
    "buyer pays the rest. Amounts are integers in minor units. Routes marked with a lock need a "
    "JWT whose cognito:groups claim holds buyer, seller or operator. Every refusal answers the "
    "same body: `{error: {code, message, field}}` (422 adds `problems`). Requests that create "
    "something accept an Idempotency-Key header: a retry with the same key and body answers the "
    "first response again."
)
WEBHOOK_NOTE = (
    "Signed by the sender: header X-Tombola-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "
    "'<t>.<raw body>'>, 300 s tolerance; each event id is applied once."
)
# Webhook handlers read the raw body (the signature covers it), so the resolver does not parse
# it and its model is declared here.
WEBHOOK_BODIES: dict[str, type[BaseModel]] = {
    "/webhooks/payments": PaymentEvent,
    "/webhooks/delivery": CarrierEventIn,
}


def _load(path: Path, name: str, env: dict[str, str]) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with container.function_environment(env):
        spec.loader.exec_module(module)
    return module


def _declare_webhook_bodies(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    for path, model in WEBHOOK_BODIES.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        op = doc["paths"][path]["post"]
        op["description"] = WEBHOOK_NOTE
        op["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }


def _referenced(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _referenced(value, found)
    elif isinstance(node, list):
        for value in node:
            _referenced(value, found)


def _drop_unused_schemas(doc: dict[str, Any]) -> None:
    """Powertools adds its own validation-error schemas to every part; our routes answer the
    ErrorBody instead, so those (and anything else nothing refers to) go."""
    schemas = doc["components"]["schemas"]
    used: set[str] = set()
    _referenced(doc["paths"], used)
    while True:
        more: set[str] = set()
        _referenced([schemas[n] for n in used if n in schemas], more)
        if more <= used:
            break
        used |= more
    doc["components"]["schemas"] = {n: schemas[n] for n in sorted(schemas) if n in used}


def build(template: Template | None = None) -> dict[str, Any]:
    template = template or Template.load()
    merge = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description=DESCRIPTION,
        security_schemes=SECURITY_SCHEMES,
        on_conflict="error",
    )
    functions = template.functions()
    for fn_name in dict.fromkeys(r.function for r in template.routes()):
        fn = functions[fn_name]
        module = _load(
            fn.module_path,
            f"tombola_openapi_{fn_name}",
            fn.stand_in_environment(template.parameters),
        )
        merge.add_schema(module.app.get_openapi_schema(title=TITLE, version=VERSION))
    doc: dict[str, Any] = json.loads(merge.get_openapi_json_schema())
    _declare_webhook_bodies(doc)
    _drop_unused_schemas(doc)
    for ops in doc["paths"].values():
        for op in ops.values():
            op["responses"] = dict(sorted(op["responses"].items()))
    doc["paths"] = dict(sorted(doc["paths"].items()))
    return doc


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (sys.argv[1:] if argv is None else argv)
    current = render(build())
    if check:
        if SERVED.read_text() != current:
            print(f"{SERVED.relative_to(ROOT)} is stale: run `make openapi`", file=sys.stderr)
            return 1
        print(f"{SERVED.relative_to(ROOT)} matches the handlers")
        return 0
    SERVED.write_text(current)
    print(f"wrote {SERVED.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
