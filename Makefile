# perfeval: the two commands of a fresh machine are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
DEMO_OUT ?= demo_out

.PHONY: demo test test-fast venv install install-dev bench wheel fonts sysdeps lab clean

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

# Chinese chart labels need a CJK font; on Debian as root this installs fonts-noto-cjk once (best effort:
# without it charts fall back to boxes for Chinese text and perfeval warns).
fonts:
	@if fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing fonts-noto-cjk (Debian) for Chinese chart labels"; \
	  (apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1)) || \
	  echo "note: could not install fonts-noto-cjk; Chinese chart labels may show as boxes"; \
	else echo "note: no CJK font found; install fonts-noto-cjk (Debian) for Chinese chart labels"; fi

# System packages the reports need, from Debian, installed once as root (best effort elsewhere): a CJK font for
# charts and PDF (fonts-noto-cjk), headless Chromium to print PDF and to test pages (chromium), poppler-utils
# (pdftotext, pdffonts, pdftoppm) for the PDF tests, and Pango for WeasyPrint. Missing tools make the tests that
# need them skip with the reason; the reports themselves need only the font.
SYSDEPS := fonts-noto-cjk chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
sysdeps: fonts
	@missing=""; for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian packages:$$missing"; \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1)) || \
	  echo "note: could not install$$missing; PDF output and browser tests will be skipped"; \
	else echo "note: missing Debian packages:$$missing (install them as root for PDF output and browser tests)"; fi

# JupyterLab on the report notebooks
lab: install
	$(PY) -m pip install --quiet -e '.[lab]'
	$(BIN)/jupyter lab notebooks/

# the main job on the shipped sample province
demo: install sysdeps
	$(BIN)/perfeval demo --out $(DEMO_OUT)

test: install-dev sysdeps
	$(PY) -m pytest -n 2 -q

test-fast: install-dev
	$(PY) -m pytest -n 2 -q -m "not slow"

bench: install-dev
	for f in benchmarks/bench_*.py; do echo "== $$f"; $(PY) $$f || exit 1; done

wheel: install-dev
	$(PY) -m build --wheel --outdir dist .

clean:
	rm -rf $(VENV) build dist $(DEMO_OUT) .pytest_cache
