# The two commands: `make run` and `make test`. Everything else is for the curious.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
WORKERS ?= 2
# gthread workers: a few requests per process overlap their database waits, and long-lived SSE streams
# (live occupancy) hold a thread, not a whole worker.
THREADS ?= 4
UV_VERSION := 0.13.8
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run serve test test-fast lint bench install lock messages browser clean

## run: install, migrate, load demo data once, serve http://127.0.0.1:8000 (development server)
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py demo_logins --base-url http://127.0.0.1:$(PORT)
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

## serve: production-like server (gunicorn, DEBUG off, static files by WhiteNoise) on DATABASE_URL
serve: install
	DJANGO_SETTINGS_MODULE=config.settings.production ALLOW_INSECURE_SECRET_KEY=$${ALLOW_INSECURE_SECRET_KEY:-1} \
		$(BIN)/python manage.py collectstatic --noinput -v 0
	DJANGO_SETTINGS_MODULE=config.settings.production ALLOW_INSECURE_SECRET_KEY=$${ALLOW_INSECURE_SECRET_KEY:-1} \
		$(BIN)/python manage.py migrate --noinput
	@# Plain HTTP on loopback: Secure cookies stay off unless SECURE_COOKIES=1 (behind a TLS proxy).
	DJANGO_SETTINGS_MODULE=config.settings.production ALLOW_INSECURE_SECRET_KEY=$${ALLOW_INSECURE_SECRET_KEY:-1} \
		SECURE_COOKIES=$${SECURE_COOKIES:-0} $(BIN)/gunicorn config.wsgi:application --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--worker-class gthread --threads $(THREADS) --access-logfile - --graceful-timeout 10 --timeout 60

## test: ruff, then the whole suite on SQLite and (under CI, or when PostgreSQL answers) PostgreSQL
test: install browser
	$(BIN)/ruff check .
	$(BIN)/python scripts/check_messages.py
	$(BIN)/pytest -p no:cacheprovider -n $${PYTEST_WORKERS:-2} --dist loadgroup
	@if [ -n "$$CI" ] || $(BIN)/python scripts/service_up.py postgres; then \
		echo "== again on PostgreSQL ($(PG_URL)) =="; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider -n $${PYTEST_WORKERS:-2} --dist loadgroup; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL pass (CI runs it)."; fi

## test-fast: the suite on SQLite only, no browser install
test-fast: install
	$(BIN)/pytest -p no:cacheprovider -n $${PYTEST_WORKERS:-2} --dist loadgroup -m "not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## bench: make bench SCENARIO=home  (see README, "Benchmarks")
bench: install
	$(BIN)/python -m benchmarks $(SCENARIO)

install: .make-python .make-npm

.make-python: requirements/base.txt requirements/dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync -q --python $(BIN)/python requirements/base.txt requirements/dev.txt
	@touch $@

.make-npm: package.json package-lock.json scripts/vendor.mjs
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/vendor.mjs
	@touch $@

## browser: Debian's Chromium for the browser tests (Playwright's own download does not work here)
browser:
	@$(PYTHON) scripts/ensure_browser.py

## lock: re-resolve pinned Python dependencies after editing requirements/*.in
lock:
	$(BIN)/uv pip compile -q --python-version 3.11 requirements/base.in -o requirements/base.txt
	$(BIN)/uv pip compile -q --python-version 3.11 requirements/dev.in -o requirements/dev.txt

## messages: extract and compile translations (needs GNU gettext)
# Each app keeps its own catalogue in <app>/locale, so teams don't edit one shared file.
messages:
	for dir in sportsplatform/*/locale; do app=$$(dirname $$dir); \
		(cd $$app && $(CURDIR)/$(BIN)/python $(CURDIR)/manage.py makemessages -l zh_Hans --no-obsolete \
			--ignore 'static/*' -v 0) || exit 1; done
	$(BIN)/python scripts/check_messages.py --compile

clean:
	rm -rf $(VENV) node_modules sportsplatform/static/vendor staticfiles .make-python .make-npm
