"""Reads template.yaml: functions, routes, schedules, rules, tables, the state machine and its
substitutions, so that nothing about the wiring is restated by hand."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


class _CfnLoader(yaml.SafeLoader):
    pass


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway form: /listings/{id}
    function: str
    public: bool

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method:
            return None
        pattern = "^" + re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(self.path)) + "$"
        m = re.match(pattern, path)
        return m.groupdict() if m else None


@dataclass(frozen=True)
class Function:
    logical_id: str
    code_uri: str
    handler: str
    environment: dict[str, Any]
    events: dict[str, Any]

    @property
    def module_path(self) -> Path:
        module, _ = self.handler.rsplit(".", 1)
        return ROOT / self.code_uri / f"{module.replace('.', '/')}.py"

    @property
    def handler_name(self) -> str:
        return self.handler.rsplit(".", 1)[1]

    def stand_in_environment(self, parameters: dict[str, str]) -> dict[str, str]:
        """Its variables outside a stack: parameters at their defaults, other references
        (tables, ARNs) as stand-ins, enough for the function's module to load."""

        def stand_in(name: str, value: Any) -> str:
            if isinstance(value, dict) and "Ref" in value:
                return parameters.get(value["Ref"], f"stand-in-{value['Ref']}")
            if isinstance(value, dict):
                return f"stand-in-{name.lower()}"
            return str(value)

        return {name: stand_in(name, value) for name, value in self.environment.items()}


@dataclass
class Template:
    doc: dict[str, Any]
    root: Path = ROOT
    parameters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None = None) -> Template:
        path = path or ROOT / "template.yaml"
        doc = yaml.load(path.read_text(), Loader=_CfnLoader)  # noqa: S506 - SafeLoader subclass
        params = {k: str(v.get("Default", "")) for k, v in doc.get("Parameters", {}).items()}
        return cls(doc, path.parent, params)

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.doc["Resources"])

    def of_type(self, cfn_type: str) -> dict[str, Any]:
        return {k: v for k, v in self.resources.items() if v["Type"] == cfn_type}

    def functions(self) -> dict[str, Function]:
        g = self.doc.get("Globals", {}).get("Function", {})
        out = {}
        for name, res in self.of_type("AWS::Serverless::Function").items():
            p = res["Properties"]
            env = dict(g.get("Environment", {}).get("Variables", {}))
            env.update(p.get("Environment", {}).get("Variables", {}))
            out[name] = Function(name, p["CodeUri"], p["Handler"], env, p.get("Events", {}))
        return out

    def routes(self) -> list[Route]:
        routes = []
        for fn in self.functions().values():
            for ev in fn.events.values():
                if ev["Type"] != "HttpApi":
                    continue
                p = ev["Properties"]
                public = p.get("Auth", {}).get("Authorizer") == "NONE"
                routes.append(Route(p["Method"].upper(), p["Path"], fn.logical_id, public))
        return routes

    def schedules(self) -> list[tuple[str, int]]:
        """(function, seconds between runs) for every Schedule event."""
        out = []
        for fn in self.functions().values():
            for ev in fn.events.values():
                if ev["Type"] == "Schedule":
                    out.append((fn.logical_id, rate_seconds(ev["Properties"]["Schedule"])))
        return out

    def event_rules(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(function, bus logical id, pattern) for every EventBridgeRule event."""
        out = []
        for fn in self.functions().values():
            for ev in fn.events.values():
                if ev["Type"] == "EventBridgeRule":
                    p = ev["Properties"]
                    out.append((fn.logical_id, p["EventBusName"]["Ref"], p["Pattern"]))
        return out

    def tables(self) -> dict[str, dict[str, Any]]:
        return {k: v["Properties"] for k, v in self.of_type("AWS::DynamoDB::Table").items()}

    def state_machine(self) -> tuple[str, dict[str, Any]]:
        (name, res), *_ = self.of_type("AWS::Serverless::StateMachine").items()
        return name, res["Properties"]


def rate_seconds(expression: str) -> int:
    m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)", expression)
    if not m:
        raise ValueError(f"unsupported schedule {expression!r}")
    unit = {"minute": 60, "hour": 3600, "day": 86400}[m.group(2).rstrip("s")]
    return int(m.group(1)) * unit


def substitute(definition: str, values: dict[str, str]) -> str:
    """SAM's DefinitionSubstitutions (moto does not apply them). A regex, because
    string.Template trips on ASL keys ending in '.$'."""

    def repl(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in values:
            raise KeyError(f"no substitution for ${{{key}}}")
        return values[key]

    return re.sub(r"\$\{(\w+)\}", repl, definition)


def resolve(value: Any, refs: dict[str, str], attrs: dict[tuple[str, str], str]) -> Any:
    """Resolve Ref / GetAtt / Sub against known physical names; other values pass through."""
    if isinstance(value, dict) and len(value) == 1:
        ((k, v),) = value.items()
        if k == "Ref":
            return refs[v]
        if k == "Fn::GetAtt":
            return attrs[(v[0], v[1])]
        if k == "Fn::Sub":

            def sub(m: re.Match[str]) -> str:
                name = m.group(1)
                if name in refs:
                    return refs[name]
                logical, _, attribute = name.partition(".")
                return attrs.get((logical, attribute), m.group(0))

            return re.sub(r"\$\{([\w:.]+)\}", sub, v)
    if isinstance(value, (int, float, bool)):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value


def load_definition(template: Template, substitutions: dict[str, str]) -> str:
    _, props = template.state_machine()
    text = (template.root / props["DefinitionUri"]).read_text()
    out = substitute(text, substitutions)
    json.loads(out)  # fail early on a broken definition
    return out
