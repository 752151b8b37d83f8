# Liên Thông — the front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml client/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(PY) -e ./client -e '.[dev]'
	@touch $@

.PHONY: venv
venv: $(STAMP) ## Create the virtual environment (.venv) and install everything

.PHONY: run
run: $(STAMP) ## Run every service, the gateway (gRPC and REST) and the citizen portal on the embedded default (SQLite, in-process bus)
	$(BIN)/lienthong dev

.PHONY: system-deps
system-deps: ## Install the Debian packages and npm modules some tests drive, when missing (tools/system-deps.sh)
	@bash tools/system-deps.sh

.PHONY: test
test: $(STAMP) system-deps lint ## Lint, then run every test (PostgreSQL/NATS-backed tests use the local servers)
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: test-faults
test-faults: $(STAMP) system-deps ## Fault drills on the multi-process platform with its own PostgreSQL, NATS, Redis, SMTP
	LIENTHONG_FAULT_DRILLS=1 $(BIN)/pytest tests/faults -p no:xdist $(PYTEST_ARGS)

.PHONY: lint
lint: $(STAMP) ## ruff, mypy, import contracts and no import cycles, buf lint/format/breaking, stub freshness
	$(BIN)/ruff check .
	$(BIN)/ruff format --check runtime services gateway portal bench tools tests
	$(BIN)/mypy runtime/lienthong_runtime gateway/lienthong_gateway gateway/lienthong_edge $(filter-out services/documents/% services/payment/% services/notify/% services/identity/% services/dossiers/% services/registry/%,$(wildcard services/*/lienthong_*/domain)) services/identity/lienthong_identity services/documents/lienthong_documents services/payment/lienthong_payment services/notify/lienthong_notify services/registry/lienthong_registry services/dossiers/lienthong_dossiers
	$(BIN)/lint-imports
	$(PY) -m tools.import_cycles
	cd proto && ../$(BIN)/buf lint && ../$(BIN)/buf format --diff --exit-code
	@if git rev-parse --verify -q main >/dev/null && git ls-tree -d main proto/lienthong >/dev/null 2>&1 && [ -n "$$(git ls-tree main proto/lienthong)" ]; then \
		echo "buf breaking against main"; $(BIN)/buf breaking proto --against '.git#branch=main,subdir=proto'; \
	else echo "buf breaking: main holds no v1 contract yet, skipped"; fi
	$(PY) -m tools.gen_stubs --check
	$(PY) -m tools.gen_openapi --check

.PHONY: format
format: $(STAMP) ## Apply ruff and buf formatting
	$(BIN)/ruff check --fix . ; $(BIN)/ruff format runtime services gateway portal bench tools tests
	cd proto && ../$(BIN)/buf format -w

.PHONY: stubs
stubs: $(STAMP) ## Regenerate the Python stubs from proto/ into client/src/lienthong, and the OpenAPI document
	$(PY) -m tools.gen_stubs
	$(PY) -m tools.gen_openapi

.PHONY: dist
dist: $(STAMP) ## Build the client wheel, the contract's descriptor set and the OpenAPI document into dist/
	$(PY) -m build --wheel --outdir dist ./client
	$(PY) -m tools.gen_openapi --descriptor-set dist/lienthong-v1.binpb --openapi dist/openapi.json

.PHONY: migrate
migrate: $(STAMP) ## Apply every service's migrations to the databases in LIENTHONG_<SERVICE>_DATABASE_URL
	$(BIN)/lienthong migrate all

.PHONY: bench
bench: $(STAMP) ## Benchmarks: echo baseline, then every scenario as a ratio of it
	$(PY) -m bench $(BENCH_ARGS)

CAPACITY_SCENARIOS ?= registry_load payment_create notify_smtp front_doors identity_tokens documents_exchange dossiers_filing
.PHONY: capacity
capacity: $(STAMP) ## Capacity model: the scenarios it needs with --json, then docs/CAPACITY.md recomputed from them
	$(PY) -m bench --json bench/results/capacity.json --only $(CAPACITY_SCENARIOS) $(BENCH_ARGS)
	$(PY) -m tools.capacity.model bench/results/capacity.json --write docs/CAPACITY.md

.PHONY: clean
clean: ## Remove the virtual environment, data folder and build output
	rm -rf $(VENV) .lienthong dist build client/build .pytest_cache .mypy_cache .ruff_cache
