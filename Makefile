# yakuba: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export YAKUBA_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test install install-dev lint typecheck pytest messages browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Migrate, load the demo towns (idempotent), then serve with a task worker beside the web server.
run: export YAKUBA_DEMO = 1
run: export YAKUBA_EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
run: install
	@mkdir -p $(YAKUBA_DATA_DIR)/static
	$(BIN)/yakuba migrate --noinput -v0
	$(BIN)/yakuba demo
	@echo ""
	@echo "Serving http://127.0.0.1:8000/  (e.g. http://127.0.0.1:8000/t/10382/). Ctrl-C stops server and worker."
	@trap 'kill 0' INT TERM EXIT; \
	  $(BIN)/yakuba worker --no-reload & \
	  $(BIN)/yakuba runserver 127.0.0.1:8000 --noreload

lint: install-dev
	$(BIN)/ruff check src tests bench

typecheck: install-dev
	$(BIN)/mypy src/yakuba/kernel

pytest: install-dev
	$(BIN)/pytest

# The whole suite: lint, types, tests (SQLite; PostgreSQL when YAKUBA_TEST_DATABASE_URL is set).
test: lint typecheck pytest

# Debian packages for the browser tests and PDF fonts (root; .ci/run calls this).
browser-deps:
	command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; }

messages: install-dev
	cd src/yakuba && ../../$(BIN)/yakuba makemessages -l en --no-obsolete --ignore "migrations/*" && ../../$(BIN)/yakuba compilemessages

clean:
	rm -rf $(VENV) var
