"""Each function validates its settings at cold start against what template.yaml gives it: every
variable its model reads must be there, and a missing or wrong one fails the start by name."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest
from tombola_dev.template import Function, Template

from tombola.adapters import container
from tombola.config import ConfigurationError, Settings

TEMPLATE = Template.load()
FUNCTIONS = TEMPLATE.functions()


def _load(fn: Function, env: dict[str, str]) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"settings_{fn.logical_id}", fn.module_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with container.function_environment(env):
        spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_each_function_starts_with_what_the_template_gives_it(name: str) -> None:
    fn = FUNCTIONS[name]
    env = fn.stand_in_environment(TEMPLATE.parameters)
    settings = _load(fn, env).settings
    assert isinstance(settings, Settings)
    model = type(settings)
    read = {f.upper() for f in model.model_fields}
    # every variable the function is given for its settings is one its model reads, and each
    # one it requires is given
    for field, info in model.model_fields.items():
        if info.is_required():
            assert field.upper() in env, f"{name} needs {field.upper()}; template.yaml omits it"
    for variable in sorted(read & env.keys()):
        if not model.model_fields[variable.lower()].is_required():
            continue
        with pytest.raises(ConfigurationError, match=variable):
            _load(fn, {k: v for k, v in env.items() if k != variable})


def test_a_wrong_value_fails_the_start_by_name() -> None:
    fn = FUNCTIONS["EntryFunction"]
    env = fn.stand_in_environment(TEMPLATE.parameters)
    with pytest.raises(ConfigurationError, match="HOLD_SECONDS"):
        _load(fn, env | {"HOLD_SECONDS": "soon"})
    with pytest.raises(ConfigurationError, match="SURPLUS_POLICY_DEFAULT"):
        _load(fn, env | {"SURPLUS_POLICY_DEFAULT": "charity"})
    with pytest.raises(ConfigurationError, match="STATE_MACHINE_ARN"):
        _load(fn, env | {"STATE_MACHINE_ARN": ""})


def test_currency_amounts_are_checked_at_the_start() -> None:
    fn = FUNCTIONS["ListingsFunction"]
    env = fn.stand_in_environment(TEMPLATE.parameters)
    for bad in ("{not json", '{"KRW": {"fee": 1}}', '{"GBP": {"fee": 1}}', '{"USD": {"fee": -1}}'):
        with pytest.raises(ConfigurationError, match="CURRENCY_AMOUNTS"):
            _load(fn, env | {"CURRENCY_AMOUNTS": bad})
    settings = _load(fn, env | {"FEE_K": "1000", "CURRENCY_AMOUNTS": '{"USD": {"fee": 99}}'})
    usd = settings.settings.currency_policy("USD")
    assert usd is not None
    assert (usd.fee.amount, usd.fee.currency, usd.deposit.rate_bps) == (99, "USD", 500)
    assert settings.settings.currency_policy("EUR") is None  # no amounts; won't be guessed
