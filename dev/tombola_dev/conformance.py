"""Every response the suites (and the local stack started by them) receive is checked against
the served OpenAPI document: the status code must be one the route declares, and the body must
match that status's schema. A violation raises at once, naming the route and the difference."""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from tombola_dev.template import ROOT

DOCUMENT = ROOT / "functions" / "openapi" / "openapi.json"
log = logging.getLogger(__name__)


class ContractViolation(AssertionError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        log.error("contract violation: %s", message)  # also seen where the raise is swallowed


@dataclass
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    responses: dict[str, Any]


@dataclass
class Conformance:
    document: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)
    checked: int = 0
    _validators: dict[tuple[str, str, str], Draft202012Validator] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path = DOCUMENT) -> Conformance:
        doc = json.loads(path.read_text())
        checker = cls(doc)
        for template, ops in doc["paths"].items():
            regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            for method, op in ops.items():
                checker.operations.append(
                    Operation(method.upper(), template, re.compile(regex), op["responses"])
                )
        return checker

    def operation(self, method: str, path: str) -> Operation | None:
        for op in self.operations:
            if op.method == method.upper() and op.pattern.match(path):
                return op
        return None

    def check(self, method: str, path: str, status: int, body: Any) -> None:
        """Raises ContractViolation; a path the document does not have is not checked (the
        gateway answers it), nor is a 5xx (a crash is the suites' own failure to report)."""
        op = self.operation(method, path.split("?", 1)[0])
        if op is None or status >= 500:
            return
        where = f"{method.upper()} {op.template} answered {status}"
        declared = op.responses.get(str(status))
        if declared is None:
            raise ContractViolation(f"{where}, which it does not declare ({sorted(op.responses)})")
        schema = (declared.get("content") or {}).get("application/json", {}).get("schema")
        if schema is not None:
            errors = sorted(
                self._validator(op, str(status), schema).iter_errors(body), key=lambda e: e.path
            )
            if errors:
                first = errors[0]
                at = "/".join(str(p) for p in first.absolute_path) or "(body)"
                raise ContractViolation(
                    f"{where} with a body off its schema at {at}: {first.message}"
                )
        with self._lock:
            self.checked += 1

    def _validator(
        self, op: Operation, status: str, schema: dict[str, Any]
    ) -> Draft202012Validator:
        key = (op.method, op.template, status)
        with self._lock:
            if key not in self._validators:
                # The document's components ride along so that its "#/components/..." refs resolve.
                root = {**schema, "components": self.document["components"]}
                self._validators[key] = Draft202012Validator(root)
            return self._validators[key]
