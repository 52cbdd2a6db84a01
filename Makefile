# Two commands matter: `make run` (the service with demo data on SQLite) and
# `make test` (the whole suite). Both set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080
PYTEST_ARGS ?=

.PHONY: install locales messages run demo fonts test lint format system-deps node-deps bench clean model

install: $(VENV)/.installed
	@# the lookup's compiled kernels, cached on disk so no first search waits for them
	$(PY) -c "from nlp.lookup import warm_up; warm_up()"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# Compile the Babel catalogues shared by the pages and the bot.
locales: install
	$(VENV)/bin/pybabel compile -d locales -D messages 2>&1 | grep -v "^compiling" || true

# Refresh the catalogue template and merge it into the translations (for developers).
messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k IntakeError:2 -k WorkflowError:2 -k IllegalTransition:2 -k IdempotencyConflict:2 -k Open311Error:2 -k MediaError -k ProposalError:2 -o locales/messages.pot infra zhixin disclosure complaints campaigns credit open311 bot
	$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching

demo: install locales
	$(VENV)/bin/zhixin demo

run: demo fonts
	$(VENV)/bin/zhixin serve --host 127.0.0.1 --port $(PORT)

# A CJK font for the pages' Chinese (the page tests' screenshots use the same one):
# installed from Debian's packages as root, otherwise the command is printed.
fonts:
	@bash tests/system-deps.sh fonts

# Chromium for the page tests, from Debian's packages (needs root; skipped otherwise).
system-deps:
	@bash tests/system-deps.sh

node-deps:
	@if command -v npm >/dev/null; then cd tests/e2e && npm ci --silent --no-audit --no-fund; else echo "npm not found: bot end-to-end tests will be skipped"; fi

test: install locales system-deps node-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache zhixin.db zhixin.db-* test-output

# Retrain the routing model and the business-name scorer from corpus/ (after editing it).
model: install
	$(VENV)/bin/zhixin route train

# Figures for the README (not tests): routing accuracy, lookup at scale, HTTP load.
bench: install locales
	$(PY) benchmarks/routing_eval.py
	$(PY) benchmarks/lookup_bench.py --size 100000
	$(PY) benchmarks/http_load.py --check
