# The two commands: `make run` and `make test`. Everything else is a helper for them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

# `make test` talks to real services; CI and developers' machines have them here.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/jiufeng
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1

.PHONY: run test smoke faults install install-dev lint messages vendor lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"

$(VENV)/.run-installed: requirements/base.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements/base.lock
	touch $@

$(VENV)/.dev-installed: requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install -q -r requirements/dev.lock
	touch $@ $(VENV)/.run-installed

install: $(VENV)/.run-installed
install-dev: $(VENV)/.dev-installed

var:
	mkdir -p var/broker var/media var/staticfiles var/log var/mail

# Serves with demo data on SQLite and the filesystem broker unless DATABASE_URL and
# REDIS_URL are set. honcho runs web, worker and beat; Ctrl-C (or SIGTERM to make)
# stops all three.
run: export DEBUG ?= true
# Links in SMS and email lead to the port served; their texts go to files, not the console.
run: export JIUFENG_SITE_URL ?= http://127.0.0.1:$(PORT)
run: export JIUFENG_SMS_LOG_FILE ?= $(CURDIR)/var/log/sms.log
run: export EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
run: install | var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	exec env PATH="$(CURDIR)/$(BIN):$$PATH" JIUFENG_PORT=$(PORT) $(BIN)/honcho start -f Procfile.dev

# Lint, migrations in sync, the suite on PostgreSQL and Redis, then the smoke suite.
test: install-dev | var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/pytest
	$(MAKE) --no-print-directory smoke

# The smoke suite (tests/smoke/) on what `make run` uses: SQLite, the filesystem broker and
# the file cache, all in a fresh temporary directory, whatever DATABASE_URL and REDIS_URL say.
smoke: install-dev
	smoke=$$(mktemp -d "$${TMPDIR:-/tmp}/jiufeng-smoke.XXXXXX") && trap 'rm -rf "$$smoke"' EXIT && \
	  DEBUG=true JIUFENG_VAR_DIR=$$smoke DATABASE_URL=sqlite:///$$smoke/db.sqlite3 REDIS_URL= \
	  $(BIN)/pytest -m smoke tests/smoke

# The fault tests (tests/faults/, marker fault): Redis stopped during 1,000 filings, a worker
# killed mid-task, PostgreSQL restarted under load, a backup restored. They stop only servers
# of their own (a redis-server and a PostgreSQL cluster on free ports, in temporary
# directories), never the shared ones. CI runs them after `make test`.
faults: install-dev | var
	DEBUG=true DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(BIN)/pytest -m fault tests/faults

lint: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract strings, then compile after translating locale/zh_Hans/LC_MESSAGES/django.po.
messages: install-dev
	DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore='.venv/*' --ignore='var/*' --ignore='static/vendor/*'
	DEBUG=true $(BIN)/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'

# Re-vendor browser assets at the versions pinned in static/vendor/package.json.
vendor:
	bash scripts/vendor.sh

# Re-pin the whole dependency tree after changing pyproject.toml.
lock: install-dev
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml

clean:
	rm -rf $(VENV) var
