# `make demo` and `make test` each create .venv and install what they need on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

UV ?= uv
LOCK := requirements/dev.lock

.PHONY: demo test bench serve clean lock

# Every dependency comes pinned with its hashes from the lock (the image uses requirements/main.lock).
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve the locks after changing pyproject.toml's dependencies (needs uv: pip install uv).
lock:
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml -o requirements/main.lock
	$(UV) pip compile --quiet --generate-hashes --python-version 3.11 --extra dev pyproject.toml -o $(LOCK)

demo: $(STAMP)
	$(PY) -m bot demo

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) bench/ack_latency.py

serve: $(STAMP)
	$(VENV)/bin/incident-bot serve

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
