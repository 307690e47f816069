# Hireloop: `make run` for the demo, `make test` for the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Where PostgreSQL answers locally and no DATABASE_URL is set, tests run against it (integration tests need it).
# The probe asks the server's maintenance database, which every server has: a fresh machine has no
# `hireloop` database yet, and the suite needs none, since pytest-django creates its own test_ databases
# from PG_TEST_URL's name.
PG_PROBE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/hireloop
# pytest-xdist processes for `make test` (0 runs the suite in one process, e.g. to debug).
TEST_WORKERS ?= 2
# Links in the demo's emails must reach the server `make run PORT=...` starts; a HIRELOOP_SITE_URL the user
# set (environment, make's command line or .env) wins.
ifeq ($(HIRELOOP_SITE_URL)$(shell grep -Es '^[[:space:]]*(export[[:space:]]+)?HIRELOOP_SITE_URL=' .env),)
SITE_URL_ENV := HIRELOOP_SITE_URL=http://$(HOST):$(PORT)
endif

.PHONY: run setup install install-run migrate demo test test-fast browser-deps gettext-deps messages lint check bench bench-quick clean

# Two stamps, so that `make run` installs the runtime only (a quicker first start) and a later `make test`
# adds just the tools on top of it.
$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed-run
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install-run: $(VENV)/.installed-run

install: $(VENV)/.installed-dev

migrate: install-run
	$(PY) manage.py migrate --noinput

# The seed's notifications (a dozen HTML emails to made-up addresses, some 800 lines on the console) and its
# task logs would bury the logins it prints last: the emails stay in memory and only errors are logged.
demo: migrate
	$(PY) manage.py load_rubrics
	$(SITE_URL_ENV) EMAIL_URL=memorymail:// DJANGO_LOG_LEVEL=ERROR $(PY) manage.py seed_demo

setup: demo

# Not echoed: the seed's demo logins stay the last lines before runserver's banner.
run: setup
	@$(SITE_URL_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

browser-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's Chromium: sudo apt-get install chromium"; fi; }

# GNU gettext (xgettext, msgmerge, msgfmt): the suite checks that `makemessages` finds no new string. `make run`
# needs none of it: the compiled catalogues (locale/*/LC_MESSAGES/django.mo) are committed.
gettext-deps:
	@command -v xgettext >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else echo "The translation tests need GNU gettext: sudo apt-get install gettext"; fi; }

# After changing a user-facing string: extract, translate the new entries in locale/*/LC_MESSAGES/django.po, then
# compile (docs/translations.md).
messages: install gettext-deps
	$(PY) manage.py makemessages --locale=de --locale=fr --locale=es --add-location=file --no-obsolete \
	  --ignore=.venv --ignore=tests --ignore=bench --ignore=node_modules --ignore=staticfiles --ignore=test-artifacts
	$(PY) manage.py compilemessages

# The migrations check compares models with migration files; its history check would warn that PG_TEST_URL's
# database does not exist, which is expected (see PG_PROBE_URL above).
test: install browser-deps gettext-deps
	@# The OpenID provider the sign-in tests start (Node.js); installed again when its lock file changes.
	@if command -v npm >/dev/null; then d=tests/support/oidc_provider; \
	  [ -f $$d/node_modules/.installed ] && [ $$d/node_modules/.installed -nt $$d/package-lock.json ] || \
	  { npm ci --prefix $$d --no-audit --no-fund --loglevel=error && touch $$d/node_modules/.installed; }; \
	else echo "No npm: the OpenID sign-in tests are skipped (failed with REQUIRE_SERVICES=1)."; fi
	@if [ -n "$$DATABASE_URL" ]; then :; \
	elif $(PY) -c "import psycopg; psycopg.connect('$(PG_PROBE_URL)', connect_timeout=2).close()" 2>/dev/null; then \
	  echo "PostgreSQL answers: running the suite against it ($(PG_TEST_URL))."; export DATABASE_URL=$(PG_TEST_URL); \
	else echo "No PostgreSQL at $(PG_PROBE_URL): the suite runs on SQLite, without its integration tests (skipped; failed with REQUIRE_SERVICES=1)."; fi; \
	$(PY) -W "ignore:Got an error checking a consistent migration history:RuntimeWarning" \
	  manage.py makemigrations --check --dry-run >/dev/null || { echo "Models and migrations disagree: run makemigrations."; exit 1; }; \
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not integration and not browser" $(PYTEST_ARGS)

# Benchmarks against floors measured in the same run (bench/run.py; results in bench/results/).
# They need PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (database 10), and use Debian's wrk
# as the load generator (installed here when missing and root; otherwise a Python client stands in).
BENCH_WRK = command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }; \
	  else echo "wrk is missing (sudo apt-get install wrk): a Python load generator stands in."; fi; }

bench: install
	@$(BENCH_WRK)
	$(PY) -m bench.run --profile full --update-docs $(BENCH_ARGS)

bench-quick: install
	@$(BENCH_WRK)
	$(PY) -m bench.run --profile quick $(BENCH_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
