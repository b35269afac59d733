# Nattlys: `make run` starts the service with demo data at http://127.0.0.1:5000,
# `make test` runs the whole test suite. Both set everything up first.
# `make cluster` starts the production shape on loopback: nginx on
# http://127.0.0.1:8080, two web instances and the scheduler, on PostgreSQL and
# Redis (DATABASE_URL / REDIS_URL; see deploy/README.md).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := pwa/node_modules/.installed
OIDC_STAMP := tests/oidc/node_modules/.installed
AXE_STAMP := tests/a11y/node_modules/.installed
RUN_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/nattlys.db

.PHONY: setup run run-eid test lint serve-only clean cluster lock lighthouse

setup: $(PY_STAMP) $(NODE_STAMP) $(OIDC_STAMP) $(AXE_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Exactly the versions in requirements.lock, each checked against its hash;
# then the project itself, which adds nothing the lock does not hold.
$(PY_STAMP): pyproject.toml requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# After changing a dependency in pyproject.toml: pin it and everything it
# needs, with hashes, for the Python and platform the service runs on.
lock: $(PY_STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --quiet \
		--python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o requirements.lock

$(NODE_STAMP): pwa/package.json pwa/package-lock.json
	cd pwa && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The local OpenID provider (ID-porten / HelseID shape) for the tests and `make run-eid`.
$(OIDC_STAMP): tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# axe-core, which the browser tests inject into pages to check accessibility.
$(AXE_STAMP): tests/a11y/package.json tests/a11y/package-lock.json
	cd tests/a11y && npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Lighthouse scores of the patient screens and the admin coverage screen
# (a measurement, not part of `make test`; see tests/perf/lighthouse_scores.py).
LIGHTHOUSE_STAMP := tests/lighthouse/node_modules/.installed
$(LIGHTHOUSE_STAMP): tests/lighthouse/package.json tests/lighthouse/package-lock.json
	cd tests/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	touch $@

lighthouse: setup $(LIGHTHOUSE_STAMP)
	$(BIN)/python -m tests.perf.lighthouse_scores

run: setup
	mkdir -p instance
	NATTLYS_ENV=development DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/nattlys db upgrade
	NATTLYS_ENV=development DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/nattlys demo
	@echo "Nattlys: http://127.0.0.1:5000  (demo users: README.md)"
	NATTLYS_ENV=development SCHEDULER=embedded DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/nattlys serve --host 127.0.0.1 --port 5000

# The demo with national eID: a local OpenID provider on 127.0.0.1:5055 whose test
# persons are bound to the demo accounts (README, "Logging in with eID").
run-eid: setup
	mkdir -p instance
	NATTLYS_ENV=development DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/nattlys db upgrade
	NATTLYS_ENV=development DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/nattlys demo
	NATTLYS_ENV=development SCHEDULER=embedded DATABASE_URL=$(RUN_DATABASE_URL) $(BIN)/python tests/oidc/demo.py

cluster: setup
	$(BIN)/python deploy/local_cluster.py --demo $(CLUSTER_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Test files run side by side on TEST_WORKERS processes (pytest-xdist): a file
# stays on one worker, in order, and each worker has its own database and
# Redis index (tests/conftest.py). TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

clean:
	rm -rf $(VENV) pwa/node_modules tests/oidc/node_modules tests/a11y/node_modules tests/lighthouse/node_modules instance .pytest_cache .ruff_cache .mypy_cache
