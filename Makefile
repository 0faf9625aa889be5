# The two commands: `make run` (the demo on http://127.0.0.1:8080/; PORT=8081 make run for
# another port) and `make test` (everything).
# Each installs what it needs; the Dockerfile runs the same install and build steps.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
DEMO_DB := var/demo-geo.mmdb
HOST ?= 127.0.0.1
PORT ?= 8080
# setuptools notes, at every editable install of a layout like ours (templates/ and catalog/
# installed inside webapp/), that it imports through a finder: nothing to act on, so not shown.
EDITABLE_NOTE := PYTHONWARNINGS="ignore:Editable installation"

.PHONY: run test install lint browser servers apps demo-db wheel clean fuzz soak bench lowest messages

run: $(DEMO_DB)
	FOREWARN_GEOIP_DBS=$(CURDIR)/$(DEMO_DB) $(BIN)/forewarn serve --demo --host $(HOST) --port $(PORT)

# The suite in parallel workers, each file in one (docs/testing.md): on two cores three keep
# both busy (95% of the run, measured), where one leaves them waiting on servers and Chromium.
# PYTEST_ARGS adds pytest options, e.g. PYTEST_ARGS="--tracing retain-on-failure -k corpus"
# keeps a failing browser test's Playwright trace (off by default: recording costs the browser
# tests a third of their CPU).
TEST_WORKERS ?= 3
PYTEST_ARGS ?=
test: $(STAMP) $(DEMO_DB) browser servers apps lint
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(EDITABLE_NOTE) $(BIN)/pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $@

demo-db: $(DEMO_DB)

$(DEMO_DB): catalog/demo-networks.csv $(STAMP)
	mkdir -p $(@D)
	$(BIN)/forewarn geoip build $< $@

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

browser:
	scripts/ensure-browser

# the React and Vue apps that tests/e2e/test_hydration.py hydrates (npm packages, esbuild)
apps:
	scripts/ensure-apps

# varnishd and nginx (with the geoip2 module, for the edge cache) for tests/integration
# (optional: those tests skip without them)
servers:
	scripts/ensure-servers libnginx-mod-http-geoip2

# The unit tests with every dependency at the lowest version pyproject.toml allows (var/lowest-venv).
# `make test` runs it too, beside the rest of the suite (tests/test_lower_bounds.py).
lowest: $(STAMP)
	$(BIN)/python scripts/lowest_versions.py

wheel: $(STAMP)
	$(BIN)/python -m build --wheel --outdir dist .

# The block's own words (docs/languages.md): extract the message ids from the templates and code
# into the template (.pot), then bring every language's .po up to date with it. The .po files are
# compiled in memory when Forewarn starts: there is no .mo to build. A new language:
# $(BIN)/pybabel init -D forewarn -i webapp/locale/forewarn.pot -d webapp/locale -l xx
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o webapp/locale/forewarn.pot --add-comments=Translators: \
		--project=Forewarn --copyright-holder="Forewarn's authors" --no-location --no-wrap .
	$(BIN)/pybabel update -D forewarn -i webapp/locale/forewarn.pot -d webapp/locale \
		--no-fuzzy-matching --ignore-obsolete --no-wrap

# Time-bounded fuzzing of the splice and of catalog loading (atheris, libFuzzer). New inputs go
# to var/fuzz; the real pages in ../shared and the shipped catalog are the seeds.
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/pip install --quiet "atheris>=2.3"
	mkdir -p var/fuzz/splice var/fuzz/catalog
	$(BIN)/python fuzz/fuzz_splice.py var/fuzz/splice $(wildcard ../shared/fixtures/corpus/readability) \
		-max_total_time=$(FUZZ_SECONDS) -max_len=65536
	$(BIN)/python fuzz/fuzz_catalog.py var/fuzz/catalog catalog -max_total_time=$(FUZZ_SECONDS)

# wrk at saturation against the middleware and the proxy (SOAK_SECONDS each, default 60): no
# non-2xx, no wrong notice in sampled answers, worker memory flat, no reader data in any log line.
SOAK_SECONDS ?= 60
soak: $(STAMP) $(DEMO_DB)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || \
		{ echo "make soak needs wrk: apt-get install wrk" >&2; exit 1; }
	SOAK_SECONDS=$(SOAK_SECONDS) $(BIN)/python -m bench.soak

# Benchmarks, not part of `make test`: the micro-benchmarks (pytest-benchmark), then every setup
# of bench/lab.py under wrk (BENCH_SECONDS each, in rounds), the memory runs, results to
# bench/results/ (JSON, Markdown, chart) and into docs/performance.md.
BENCH_SECONDS ?= 10
bench: $(STAMP) $(DEMO_DB)
	scripts/ensure-servers wrk libnginx-mod-http-geoip2
	$(BIN)/pip install --quiet -e ".[test,bench]"
	mkdir -p var
	$(BIN)/pytest -q -p no:cacheprovider bench/test_micro.py --benchmark-timer=time.thread_time \
		--benchmark-json=var/bench-micro.json --benchmark-columns=min,median,mean,rounds
	BENCH_SECONDS=$(BENCH_SECONDS) $(BIN)/python -m bench.run
	$(BIN)/python -m bench.readme

clean:
	rm -rf $(VENV) var dist build test-results *.egg-info
