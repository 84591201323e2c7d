# Set-up is automatic: every target installs what it needs into .venv first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SAMVENV ?= .venv-sam
SAM    := $(SAMVENV)/bin/sam
export SAM_CLI_TELEMETRY = 0

.PHONY: lighthouse help dev web web-check browser deploy-web dynamodb-local lock test fast integration e2e deploy openapi-check unit reliability bench bench-small lint format openapi sam-check run demo token verify clean

help: ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):[^#]*## /\1\t/' | expand -t 16

$(STAMP): pyproject.toml requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

dev: $(STAMP) ## create .venv with runtime and dev dependencies (the locked versions)

# The web client (web/): npm's lock, a build whose API types come from the served OpenAPI
# document (a contract change breaks the build), served at / by `make run`.
WEB_STAMP := web/node_modules/.installed
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json -type f -not -name schema.d.ts 2>/dev/null)

$(WEB_STAMP): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "the web client needs Node.js 20+ and npm (apt-get install nodejs npm)"; exit 1; }
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES) functions/openapi/openapi.json
	cd web && npm run build --silent

web: web/dist/index.html ## build the web client (types generated from the OpenAPI document, type-checked)

web-check: web ## the web client's lint and unit tests (the draw verifier against the server's)
	cd web && npm run lint --silent && npm run test --silent
	PYTHONPATH=layers/domain:dev:. $(BIN)/python -m tombola_dev.web_fixtures --check

# DynamoDB Local (Amazon's own engine, a Java server) for the tests that race real concurrent
# requests: its jar and native libraries as the npm package amplify-dynamodb-simulator ships them
# (pinned, checked against its SHA-256), unpacked into .local/dynamodb-local. Needs Java 17+.
DDB_LOCAL_VERSION := 2.9.30
DDB_LOCAL_PACKAGE := amplify-dynamodb-simulator@$(DDB_LOCAL_VERSION)
DDB_LOCAL_SHA256  := 3503ffac19f183407909fecdacf4db51ab1fdad1da7b2f177016670b2d80e4b9
DDB_LOCAL_DIR     := .local/dynamodb-local
DDB_LOCAL_STAMP   := $(DDB_LOCAL_DIR)/.installed-$(DDB_LOCAL_VERSION)
NEED_JAVA = command -v java >/dev/null || { echo "DynamoDB Local (the race tests) needs Java 17+: apt-get install openjdk-17-jre-headless"; exit 1; }

$(DDB_LOCAL_STAMP):
	@$(NEED_JAVA)
	@command -v npm >/dev/null || { echo "fetching DynamoDB Local needs npm (apt-get install nodejs npm)"; exit 1; }
	rm -rf $(DDB_LOCAL_DIR) && mkdir -p $(DDB_LOCAL_DIR)
	cd $(DDB_LOCAL_DIR) && npm pack --loglevel=error $(DDB_LOCAL_PACKAGE) >package.name
	cd $(DDB_LOCAL_DIR) && echo "$(DDB_LOCAL_SHA256)  $$(cat package.name)" | sha256sum --check --quiet
	cd $(DDB_LOCAL_DIR) && tar -xzf "$$(cat package.name)" --strip-components=2 package/emulator \
		&& rm "$$(cat package.name)" package.name
	@test -f $(DDB_LOCAL_DIR)/DynamoDBLocal.jar -a -d $(DDB_LOCAL_DIR)/DynamoDBLocal_lib \
		|| { echo "$(DDB_LOCAL_PACKAGE) did not contain emulator/DynamoDBLocal.jar"; exit 1; }
	touch $(DDB_LOCAL_STAMP)

dynamodb-local: $(DDB_LOCAL_STAMP) ## DynamoDB Local for the race tests, into .local/dynamodb-local (needs java: apt-get install openjdk-17-jre-headless)
	@$(NEED_JAVA)

UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --custom-compile-command "make lock"

lock: $(STAMP) ## after changing pyproject.toml's dependencies: re-resolve the lock (requirements/dev.txt) and the layer's runtime part of it (layers/domain/requirements.txt)
	$(UV_COMPILE) --extra dev --no-emit-package tombola pyproject.toml -o requirements/dev.txt
	$(UV_COMPILE) pyproject.toml -c requirements/dev.txt -o layers/domain/requirements.txt

test: $(STAMP) dynamodb-local web-check ## every test: unit, property-based, integration (moto, the real state machine), reliability (a seeded sample), end-to-end, the web client in Chromium
	$(BIN)/pytest -n 3 --durations=15

reliability: $(STAMP) dynamodb-local ## the whole reliability suite: every crash point, more fuzzing and replays, the scenarios under transaction conflicts; prints the figures
	RELIABILITY=full $(BIN)/pytest -n 2 tests/reliability
	CONTENTION=0.2 $(BIN)/pytest -n 2 -q tests/integration

bench: $(STAMP) ## the data model's numbers at full size (purchases, rush, draw of 1M tickets, 250k buyers, cost): one table
	POWERTOOLS_METRICS_DISABLED=true PYTHONPATH=layers/domain:dev:. $(BIN)/python -m bench.run

bench-small: $(STAMP) ## the same benchmark at a small size (CI runs it so that it keeps working)
	POWERTOOLS_METRICS_DISABLED=true PYTHONPATH=layers/domain:dev:. $(BIN)/python -m bench.run --small

unit: $(STAMP) ## pure domain: the patent's examples, hypothesis properties, settings, the lock (seconds)
	$(BIN)/pytest tests/unit

fast: $(STAMP) ## the fast tier (under a minute): pure rules, the Store contract on both stores, the services on the in-memory store
	$(BIN)/pytest -n 2 tests/unit tests/contract tests/fast

integration: $(STAMP) ## handlers and the real state machine under moto, wired from template.yaml
	$(BIN)/pytest -n 2 tests/integration

e2e: $(STAMP) ## the local stack started as `make run` starts it, driven over HTTP
	$(BIN)/pytest tests/e2e

browser: $(STAMP) web ## the web client in headless Chromium (apt-get install chromium) against the local stack
	$(BIN)/pytest tests/browser

lint: $(STAMP) ## ruff (lint + format check), mypy, cfn-lint on template.yaml
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@# each function is its own "app" module, so each is checked on its own
	@for f in functions/*/app.py; do $(BIN)/mypy --no-error-summary $$f || exit 1; done
	$(BIN)/cfn-lint template.yaml

openapi: $(STAMP) ## regenerate functions/openapi/openapi.json from the handlers
	POWERTOOLS_TRACE_DISABLED=true $(BIN)/python -m tombola_dev.openapi

openapi-check: $(STAMP) ## fail when functions/openapi/openapi.json is not what the handlers generate
	POWERTOOLS_TRACE_DISABLED=true $(BIN)/python -m tombola_dev.openapi --check

format: $(STAMP) ## ruff: fix what it can, format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

PORT ?= 3000
MOTO_PORT ?= 5000
WHO ?= alice
GROUP ?= buyer

run: $(STAMP) web ## the whole system on 127.0.0.1:$(PORT) (AWS CLI: --endpoint-url http://127.0.0.1:$(MOTO_PORT)); ARGS="--tick-seconds 5 --param Name=Value"; Ctrl-C stops
	$(BIN)/python -m tombola_dev.serve --port $(PORT) --moto-port $(MOTO_PORT) $(ARGS)

lighthouse: $(STAMP) web ## Lighthouse (mobile) on the main pages against a local stack: scores to test-results/lighthouse.json
	$(BIN)/python -m tombola_dev.lighthouse

demo: $(STAMP) ## drive listings through the stack at :$(PORT) over HTTP (starts its own if none runs)
	$(BIN)/python -m tombola_dev.demo --url http://127.0.0.1:$(PORT)

token: $(STAMP) ## a JWT for the local stack: make token WHO=alice GROUP=buyer
	@$(BIN)/python -m tombola_dev.cli token $(WHO) $(GROUP)

verify: $(STAMP) ## check a listing's draw from its public data: make verify LISTING=L...
	$(BIN)/python -m tombola_dev.verify --url http://127.0.0.1:$(PORT) --listing $(LISTING)

$(SAM):
	$(PYTHON) -m venv $(SAMVENV)
	$(SAMVENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAMVENV)/bin/python -m pip install --quiet aws-sam-cli

sam-check: $(SAM) $(STAMP) ## sam validate --lint, sam build (arm64 wheels; needs Python 3.12, pyenv has it), then the layer check
	$(SAM) validate --lint
	PYENV_VERSION=3.12.1 $(SAM) build --build-dir .aws-sam/build
	rm -rf .venv-layer && PYENV_VERSION=3.12.1 python3 -m venv .venv-layer
	$(BIN)/python -m tombola_dev.layer_check --venv .venv-layer

deploy: sam-check ## sam deploy (guided the first time: it writes samconfig.toml); ARGS="--parameter-overrides Name=Value"; see docs/OPERATIONS.md
	$(SAM) deploy $(if $(wildcard samconfig.toml),,--guided) $(ARGS)

STACK ?= tombola-dev

deploy-web: $(STAMP) web ## publish web/dist and its config.json to the deployed stack's bucket (STACK=tombola-<stage>)
	$(BIN)/python -m tombola_dev.deploy_web --stack $(STACK)

clean: ## remove every virtualenv, build and cache
	rm -rf $(VENV) $(SAMVENV) .venv-layer .local .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam
