# The two commands: `make run` (the demo on http://127.0.0.1:8080/) and `make test` (everything).
# Each installs what it needs; the Dockerfile runs the same install and build steps.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DEMO_DB := var/demo-geo.mmdb
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test install lint browser demo-db wheel clean

run: $(DEMO_DB)
	FOREWARN_GEOIP_DBS=$(CURDIR)/$(DEMO_DB) $(BIN)/forewarn serve --demo --host $(HOST) --port $(PORT)

test: $(STAMP) $(DEMO_DB) browser lint
	$(BIN)/pytest

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

demo-db: $(DEMO_DB)

$(DEMO_DB): catalog/demo-networks.csv $(STAMP)
	mkdir -p $(@D)
	$(BIN)/forewarn geoip build $< $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

browser:
	scripts/ensure-browser

wheel: $(STAMP)
	$(BIN)/python -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) var dist build test-results *.egg-info
