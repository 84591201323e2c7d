"""Decisions become CloudWatch embedded metrics with the fixed names and dimensions the dashboard
and the alarms in template.yaml read."""

from __future__ import annotations

import json
import re

import pytest
from tombola_dev.template import Template

from tombola.adapters.observability import PowertoolsTelemetry, metrics
from tombola.telemetry import Metric, Point, settled, tickets_accepted


def _emf(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def test_decisions_are_emitted_with_fixed_names_and_dimensions(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    monkeypatch.setattr(metrics, "namespace", "Tombola")
    telemetry = PowertoolsTelemetry()
    telemetry.decided(settled("L1", "unsold", 0))
    telemetry.decided(tickets_accepted("L1", "E1", 3, 300, "card"))
    telemetry.count(Point(Metric.EFFECT_LAG, 42))
    metrics.flush_metrics()
    lines = _emf(capsys.readouterr().out)
    by_name = {
        m["Name"]: (line, directive)
        for line in lines
        for directive in line["_aws"]["CloudWatchMetrics"]  # type: ignore[index]
        for m in directive["Metrics"]
    }
    line, directive = by_name["Settlements"]
    assert directive["Namespace"] == "Tombola"
    assert any("Outcome" in dims for dims in directive["Dimensions"])
    assert line["Outcome"] == "unsold"
    line, _ = by_name["TicketsSold"]
    assert line["TicketsSold"] == [3.0]
    assert line["FirstPaymentsCollected"] == [300.0]
    units = {m["Name"]: m["Unit"] for _, d in by_name.values() for m in d["Metrics"]}
    assert units["EffectLagSeconds"] == "Seconds"
    assert units["TicketsSold"] == "Count"


def test_the_alarms_and_the_dashboard_read_the_names_the_functions_emit() -> None:
    template = Template.load()
    env = template.doc["Globals"]["Function"]["Environment"]["Variables"]
    namespace, service = env["POWERTOOLS_METRICS_NAMESPACE"], env["POWERTOOLS_SERVICE_NAME"]
    emitted = {m.value for m in Metric}
    ours = [
        r["Properties"]
        for r in template.of_type("AWS::CloudWatch::Alarm").values()
        if r["Properties"]["Namespace"] == namespace
    ]
    assert {a["MetricName"] for a in ours} <= emitted
    for alarm in ours:
        assert {"Name": "service", "Value": service} in alarm["Dimensions"]
    body = template.resources["Dashboard"]["Properties"]["DashboardBody"]
    shown = set(re.findall(rf'\["{namespace}", "(\w+)"', str(body)))
    assert shown, "the dashboard shows our metrics"
    assert shown <= emitted
