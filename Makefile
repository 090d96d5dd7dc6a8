# perfeval: the two commands of a fresh machine are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
DEMO_OUT ?= demo_out

.PHONY: demo test test-fast venv install install-dev bench wheel clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

venv: $(PY)

# installs the package (editable) and its runtime dependencies
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# the main job on the shipped sample province
demo: install
	$(BIN)/perfeval demo --out $(DEMO_OUT)

test: install-dev
	$(PY) -m pytest -n 2 -q

test-fast: install-dev
	$(PY) -m pytest -n 2 -q -m "not slow"

bench: install-dev
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

wheel: install-dev
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) build dist $(DEMO_OUT) .pytest_cache
