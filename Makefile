# voicekit: `make dataset SRC=films/` and `make test` each do all set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SRC ?=
REF ?=
ARGS ?=
DEMO ?= demo

.PHONY: install system-deps test-deps dataset demo test lint bench eval

install: $(STAMP)

system-deps:
	@scripts/install-system-deps.sh ffmpeg sox espeak-ng flite

test-deps:
	@scripts/install-system-deps.sh chromium fonts-noto-cjk

$(STAMP): pyproject.toml requirements.lock
	@scripts/install-system-deps.sh ffmpeg sox espeak-ng flite
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -U pip
	$(VENV)/bin/pip install -q -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	@# faster-whisper (CTranslate2, CUDA 12) on an NVIDIA GPU needs CUDA 12's cuBLAS
	@if command -v nvidia-smi >/dev/null 2>&1; then \
		$(VENV)/bin/pip install -q nvidia-cublas-cu12==12.9.1.4; fi
	@touch $(STAMP)

dataset: install
	@if [ -z "$(SRC)" ]; then echo "usage: make dataset SRC=films/ [REF='a.wav b.wav'] [ARGS='--lang zh']"; exit 2; fi
	$(VENV)/bin/voicekit dataset $(SRC) $(foreach r,$(REF),--ref $(r)) $(ARGS)

demo: install
	$(PY) scripts/make_demo_films.py $(DEMO)/films
	$(VENV)/bin/voicekit dataset $(DEMO)/films/*.mkv $(DEMO)/films/*.mp4 --ref-dir $(DEMO)/films/refs/piper-joe --workspace $(DEMO)/work $(ARGS)

test: install test-deps
	$(PY) -m pytest -q tests

lint: install
	$(VENV)/bin/ruff check voicekit tests scripts benchmarks
	$(VENV)/bin/mypy

bench: install
	$(PY) benchmarks/extraction.py --out docs/bench-latest.json

eval: install
	$(PY) benchmarks/extraction.py --ci
