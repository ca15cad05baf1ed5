# Two commands do all the set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# Safe production-like settings for `check --deploy` (never used to serve).
DEPLOY_ENV := P2P_MODE=production P2P_SECRET_KEY=check-deploy-not-for-serving-0123456789abcdefghijklmnopqrstuvwxyz \
	P2P_IDENTITY_HASH_KEY=check-deploy-identity-0123456789abcdefghijkl P2P_ALLOWED_HOSTS=port2port.example

.PHONY: demo test lint typecheck check pytest install install-dev messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install
	P2P_MODE=demo $(BIN)/port2port demo

lint: install-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy port2port

check: install-dev
	P2P_MODE=demo $(PY) manage.py check --fail-level WARNING
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	P2P_MODE=demo $(PY) manage.py makemigrations --check --dry-run

pytest: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck check pytest

# The project catalog (port2port/locale) holds the shell, registry and access
# strings; each module with its own catalog (port2port/APP/locale) keeps its own.
APP_CATALOGS := release compliance reporting detection sharing
messages: install-dev
	cd port2port && P2P_MODE=demo ../$(PY) ../manage.py makemessages -l nl -l fr --no-obsolete --ignore='tests/*' \
		$(foreach app,$(APP_CATALOGS),--ignore='$(app)/*')
	for app in $(APP_CATALOGS); do \
		(cd port2port/$$app && P2P_MODE=demo PYTHONPATH=../.. ../../$(PY) ../../manage.py makemessages \
			-l nl -l fr $$( [ -d locale/de ] && echo -l de ) --no-obsolete --ignore='tests/*') || exit 1; \
	done
	P2P_MODE=demo $(PY) manage.py compilemessages --ignore='.venv'

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
