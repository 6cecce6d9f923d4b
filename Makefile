# Spaces API contract toolkit — build entry points.
# `make` (= generate), `make lint`, `make test`, `make contract BASE_URL=... TOKEN=...`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPEC ?= spec/openapi.yaml

NODE_BIN := node_modules/.bin
REDOCLY := $(NODE_BIN)/redocly
SPECTRAL := $(NODE_BIN)/spectral

# Keep the tools off the network: no telemetry, no update checks.
export REDOCLY_TELEMETRY := off
export REDOCLY_SUPPRESS_UPDATE_NOTICE := true
export SCARF_ANALYTICS := false
export DO_NOT_TRACK := 1
export NPM_CONFIG_UPDATE_NOTIFIER := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Parts that other people are still building: each target runs them only once they exist.
HAVE_GENERATOR := $(wildcard generator/__main__.py)
HAVE_CONTRACT := $(wildcard spaces_toolkit/contract)
HAVE_BENCH := $(wildcard bench/__main__.py)
PY_DIRS := $(wildcard generator spaces_toolkit testing tests bench scripts)

# Files the installed toolkit reads at run time (through importlib.resources), each a relative
# symbolic link in the package to its one source: SOURCE:LINK. Git holds the source once (a link
# is its path); the editable install reads through the link, and the sdist and the wheel hold the
# file itself (setuptools copies what a link names). `make` makes a missing link, `make check`
# fails if one is not a link to its source.
PACKAGED := spec/openapi.yaml:spaces_toolkit/spec/openapi.yaml \
            spec/NOTES.md:spaces_toolkit/spec/NOTES.md \
            generated/docs/index.html:spaces_toolkit/server/docs.html \
            generated/docs/llms.txt:spaces_toolkit/server/llms.txt \
            generated/docs/llms-full.txt:spaces_toolkit/server/llms-full.txt

.DEFAULT_GOAL := all
.PHONY: all generate check check-compat release lint test test-st-lowest contract docs bench clean lock \
        deps-system deps-bench package-data

all: generate

# ---------------------------------------------------------------- environments

# The exact, hash-checked set first (nothing else is installed with it), then the toolkit itself
# in editable mode without resolving again.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Regenerate requirements.lock from the ranges in pyproject.toml (the toolkit with its generator
# and dev extras) with pip-tools: pip's own resolver (so pip.conf's indexes apply), every
# distribution's sha256 recorded, no index URL written into the file. Pins already in the lock
# are kept while they satisfy the ranges; `make lock UPGRADE=1` moves every pin to the newest.
LOCK_VENV := build/lock-venv
PIP_TOOLS := pip-tools>=7.4,<8

lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install -q '$(PIP_TOOLS)'
	CUSTOM_COMPILE_COMMAND='make lock' $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes \
	  --allow-unsafe --strip-extras --extra generator --extra dev --no-emit-index-url \
	  --no-emit-find-links --no-emit-trusted-host $(if $(UPGRADE),--upgrade) \
	  --output-file requirements.lock pyproject.toml
	rm -rf $(LOCK_VENV); rmdir build 2>/dev/null || true

# System (apt) packages, each installed only if missing: Debian's chromium for the docs' browser
# test, curl for the READMEs' blocks, PostgreSQL for the server tests.
deps-system:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends chromium fonts-dejavu-core; fi
	@# curl, which the READMEs' shell blocks use (tests/readme runs every one of them).
	@if command -v curl >/dev/null 2>&1; then echo "curl: $$(command -v curl)"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends curl; fi
	@# PostgreSQL binaries for the server tests' throwaway clusters. If the package's own
	@# cluster service got started by the install, stop it: the tests run their own.
	@if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || command -v pg_ctl >/dev/null; then \
	  echo "postgresql: $$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1)"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends postgresql && \
	  { pg_lsclusters -h 2>/dev/null | awk '/online/ {print $$1, $$2}' | \
	    while read -r v c; do pg_ctlcluster --mode fast "$$v" "$$c" stop || true; done; }; fi

# ---------------------------------------------------------------- generator

generate: $(if $(HAVE_GENERATOR),$(VENV)/.installed)
ifneq ($(HAVE_GENERATOR),)
	$(BIN)/python -m generator
	@$(MAKE) --no-print-directory package-data
else
	@echo "generator not built yet"
endif

package-data:
	@for pair in $(PACKAGED); do \
	  src=$${pair%%:*}; dst=$${pair#*:}; rel=$$(realpath -m --relative-to="$$(dirname "$$dst")" "$$src"); \
	  [ -L "$$dst" ] && [ "$$(readlink "$$dst")" = "$$rel" ] || \
	    { ln -sfn "$$rel" "$$dst" && echo "linked $$dst to $$src"; }; \
	done

check: $(if $(HAVE_GENERATOR),$(VENV)/.installed)
ifneq ($(HAVE_GENERATOR),)
	$(BIN)/python -m generator --check
	@for pair in $(PACKAGED); do \
	  src=$${pair%%:*}; dst=$${pair#*:}; rel=$$(realpath -m --relative-to="$$(dirname "$$dst")" "$$src"); \
	  [ -L "$$dst" ] && [ "$$(readlink "$$dst")" = "$$rel" ] || \
	    { echo "$$dst is not a link to $$src: run \`make package-data\`"; exit 1; }; \
	done; echo "packaged files are links to their sources"
else
	@echo "generator not built yet"
endif
	$(BIN)/python -m spaces_toolkit.diff.compat --spec $(SPEC)

# Versions follow changes (spec/NOTES.md 49): the spec against its last release snapshot and
# against BASE (a git revision; default: the last `v*` tag, else the merge base with main; in a
# clone without either, e.g. a shallow one, only the snapshot check runs and it says so).
BASE ?= auto
check-compat: $(VENV)/.installed
	$(BIN)/python -m spaces_toolkit.diff.compat --spec $(SPEC) --base '$(BASE)'

# Snapshot the spec as spec/releases/<info.x-contract-version>.yaml and regenerate (changelog).
release: $(VENV)/.installed
	$(BIN)/python -m spaces_toolkit.diff.compat --spec $(SPEC) --release
	$(MAKE) generate

docs: $(if $(HAVE_GENERATOR),$(VENV)/.installed)
ifneq ($(HAVE_GENERATOR),)
	$(BIN)/python -m generator --only docs
	@$(MAKE) --no-print-directory package-data
else
	@echo "generator not built yet"
endif

# ---------------------------------------------------------------- lint and test

lint: $(VENV)/.installed node_modules/.installed
	$(BIN)/python -m openapi_spec_validator $(SPEC)
	$(REDOCLY) lint --config redocly.yaml $(SPEC)
	$(SPECTRAL) lint --ruleset .spectral.yaml --fail-severity=warn $(SPEC)
	$(BIN)/python scripts/lint_actions.py  # actionlint: action.yml and .github/workflows
ifneq ($(strip $(PY_DIRS)),)
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy
endif

# pytest exits 5 when it collects nothing. That is accepted only while tests/ holds no
# test files at all; once tests exist, exit 5 (and every other failure) fails the target.
test: deps-system lint check check-compat
	@rc=0; $(BIN)/pytest || rc=$$?; \
	if [ $$rc -eq 5 ] && [ -z "$$(find tests \( -name 'test_*.py' -o -name '*_test.py' \) 2>/dev/null | head -n 1)" ]; then \
	  echo "pytest: no test files under tests/ yet (exit 5 accepted)"; rc=0; \
	fi; exit $$rc
	@$(MAKE) --no-print-directory test-st-lowest

# Schemathesis is a range in pyproject.toml (the toolkit installs beside a user's own); the lock
# holds its newest. The contract tests that drive its engine also run against the range's lowest
# version, in a venv of its own: the reference server passes, seeded faults are caught.
ST_LOWEST := $(shell sed -n 's/.*"schemathesis>=\([0-9.]*\),.*/\1/p' pyproject.toml)
ST_LOWEST_VENV := build/st-lowest
ST_LOWEST_TESTS := tests/contract/test_reference_server.py tests/contract/test_mutants.py \
                   -k "reference or dropped_required_field or tenant_leak or has_more_off_by_one"

test-st-lowest: $(VENV)/.installed
	rm -rf $(ST_LOWEST_VENV)
	$(PYTHON) -m venv $(ST_LOWEST_VENV)
	$(ST_LOWEST_VENV)/bin/python -m pip install -q --require-hashes -r requirements.lock
	$(ST_LOWEST_VENV)/bin/python -m pip install -q --no-deps 'schemathesis==$(ST_LOWEST)'
	$(ST_LOWEST_VENV)/bin/python -m pip install -q --no-deps -e .
	@echo "contract tests against Schemathesis $$($(ST_LOWEST_VENV)/bin/python -c 'import schemathesis; print(schemathesis.__version__)')"
	$(ST_LOWEST_VENV)/bin/python -m pytest -q -p no:cacheprovider $(ST_LOWEST_TESTS)
	rm -rf $(ST_LOWEST_VENV)

# ---------------------------------------------------------------- contract and bench

# `make contract DB=postgresql://…` (or a SQLite file): against a two-process server on that
# database, with two fresh seeded accounts. The reference server (embedded or on DB) is held to
# every decision of the spec too (--strict); another implementation (BASE_URL) to the docs, its
# deviations from the spec's decisions listed (add CONTRACT_ARGS=--strict to fail on them).
CONTRACT_STRICT := $(if $(BASE_URL),,--strict)
contract: $(if $(HAVE_CONTRACT),$(VENV)/.installed)
ifneq ($(DB),)
	$(BIN)/python -m spaces_toolkit.server.run.with_server --db '$(DB)' --processes 2 -- \
	  $(BIN)/spaces contract $(CONTRACT_STRICT) $(CONTRACT_ARGS)
else ifneq ($(HAVE_CONTRACT),)
	@echo "$(BIN)/spaces contract $(if $(BASE_URL),--base-url '$(BASE_URL)') $(if $(TOKEN),--token '***') $(if $(SECOND_TOKEN),--second-token '***') $(CONTRACT_STRICT) $(CONTRACT_ARGS)"
	@$(if $(TOKEN),SPACES_ACCESS_TOKEN='$(TOKEN)') $(if $(SECOND_TOKEN),SPACES_SECOND_ACCESS_TOKEN='$(SECOND_TOKEN)') \
	  $(BIN)/spaces contract $(if $(BASE_URL),--base-url '$(BASE_URL)') $(CONTRACT_STRICT) $(CONTRACT_ARGS)
else
	@echo "contract suite not built yet (see issue 5)"
endif

# `make bench` measures the toolkit against its baselines and rewrites bench/RESULTS.md
# (~12 min on 2 cores). BENCH_ARGS picks some (`make bench BENCH_ARGS="server scaling"`) or
# `--quick`. Never part of `make test`.
BENCH_ARGS ?=
OPC_VENV := build/bench/opc-venv
OPC_VERSION := 0.29.1

bench: $(if $(HAVE_BENCH),$(VENV)/.installed node_modules/.installed deps-bench)
ifneq ($(HAVE_BENCH),)
	$(BIN)/python -m bench $(BENCH_ARGS)
else
	@echo "bench not built yet"
endif

# Tools only the benchmarks use: Debian's wrk (load generator; installed only if missing) and
# openapi-python-client in a scratch venv of its own (its dependencies conflict with ours).
deps-bench: $(OPC_VENV)/.installed
	@if command -v wrk >/dev/null 2>&1; then echo "wrk: $$(command -v wrk)"; \
	else apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	  --no-install-recommends wrk; fi

$(OPC_VENV)/.installed:
	rm -rf $(OPC_VENV)
	$(PYTHON) -m venv $(OPC_VENV)
	$(OPC_VENV)/bin/python -m pip install -q 'openapi-python-client==$(OPC_VERSION)'
	touch $@

# ---------------------------------------------------------------- housekeeping

clean:
	rm -rf $(VENV) node_modules build .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./.git -prune -o \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
