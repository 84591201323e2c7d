"""One OpenAPI document for the whole API, generated from the handlers' own route declarations
(Powertools builds each function's part from its pydantic models) and merged in route order of
template.yaml. ``python -m tombola_dev.openapi`` rewrites the served copy."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from tombola.adapters import container
from tombola.api_models import CarrierEventIn, PaymentEventIn
from tombola_dev.template import ROOT, Template

SERVED = ROOT / "functions" / "openapi" / "openapi.json"
TITLE = "Tombola API"
VERSION = "1.0.0"
WEBHOOK_NOTE = (
    "Signed by the sender: header X-Tombola-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "
    "'<t>.<raw body>'>, 300 s tolerance; each event id is applied once."
)


WEBHOOK_BODIES: dict[str, type[BaseModel]] = {
    "/webhooks/payments": PaymentEventIn,
    "/webhooks/delivery": CarrierEventIn,
}


def _body_of(model: type[BaseModel], doc: dict[str, Any]) -> dict[str, Any]:
    """Webhook handlers read the raw body (the signature covers it), so their model is added
    here rather than by the resolver."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    doc["components"]["schemas"].update(schema.pop("$defs", {}))
    doc["components"]["schemas"][model.__name__] = schema
    ref = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"required": True, "content": {"application/json": {"schema": ref}}}


def _load(path: Path, name: str, env: dict[str, str]) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with container.function_environment(env):
        spec.loader.exec_module(module)
    return module


def build(template: Template | None = None) -> dict[str, Any]:
    template = template or Template.load()
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": TITLE,
            "version": VERSION,
            "description": "Draw-based commerce (KR 10-1753024). Amounts are integers in minor "
            "units. Routes other than the public ones need a JWT whose cognito:groups claim holds "
            "buyer, seller or operator.",
        },
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {"jwt": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }
    functions = template.functions()
    public = {(r.method, r.path) for r in template.routes() if r.public}
    for fn_name in dict.fromkeys(r.function for r in template.routes()):
        fn = functions[fn_name]
        env = fn.stand_in_environment(template.parameters)
        module = _load(fn.module_path, f"tombola_openapi_{fn_name}", env)
        app = getattr(module, "app", None)
        if app is None or not hasattr(app, "get_openapi_schema"):
            continue
        schema = json.loads(app.get_openapi_json_schema(title=TITLE, version=VERSION))
        for path, ops in schema.get("paths", {}).items():
            for method, op in ops.items():
                gateway_path = path.replace("{listing_id}", "{id}")
                if (method.upper(), gateway_path) not in public:
                    op["security"] = [{"jwt": []}]
                if gateway_path in WEBHOOK_BODIES:
                    op["description"] = WEBHOOK_NOTE
                    model = WEBHOOK_BODIES[gateway_path]
                    op["requestBody"] = _body_of(model, doc)
                doc["paths"].setdefault(path, {})[method] = op
        doc["components"]["schemas"].update(schema.get("components", {}).get("schemas", {}))
    doc["paths"] = dict(sorted(doc["paths"].items()))
    doc["components"]["schemas"] = dict(sorted(doc["components"]["schemas"].items()))
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
