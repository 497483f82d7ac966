# kapbot: `make run` (set up, index, serve) and `make test` (set up, all tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Offline and private by default: no model downloads, no telemetry.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

# pip -qq: errors only (not the notices about this machine's pip configuration).
PIP := $(BIN)/python -m pip install -qq --disable-pip-version-check

.PHONY: install tools index run serve test test-cache lint eval bench clean

$(STAMP): pyproject.toml constraints.txt
	@echo "Installing kapbot and its dependencies into $(VENV) (a few minutes the first time)..."
	$(PYTHON) -m venv $(VENV)
	@$(PIP) --upgrade pip
	@# CPU-only torch first (a local wheel on this machine), so nothing pulls a CUDA build.
	$(PIP) -c constraints.txt torch==2.13.0
	$(PIP) -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# What the tests need besides Python: a Chromium and redis-server, installed when missing.
tools: install
	@.ci/tools $(BIN)

index: install
	$(BIN)/kapbot index

# serve checks the index at start-up and builds it when it is missing or stale (one model load).
run: install
	$(BIN)/kapbot serve

serve: run

lint: install
	$(BIN)/ruff check kapbot tests app.py benchmarks
	$(BIN)/mypy

# The linters and the test suite's one-time training (tests/prepare.py: classifiers, rankers and
# vectors into .test-cache, about three minutes on a fresh clone) side by side, then the tests.
test: tools
	@$(MAKE) --no-print-directory -j2 --output-sync=target lint test-cache
	$(BIN)/python -m pytest

test-cache: install
	$(BIN)/python -m tests.prepare

eval: install
	$(BIN)/kapbot eval --tutorial --write evals/baseline.json

# side by side with the plain tutorial stack; writes benchmarks/results.md (about 10 minutes);
# then the safety screen's and the section ranker's own cost, in English and Spanish
# (benchmarks/screen.md), and the chat's first open on throttled "Fast 3G" (benchmarks/first_open.md)
bench: install
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench_screen.py
	$(BIN)/python benchmarks/first_open.py --write

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache *.egg-info
