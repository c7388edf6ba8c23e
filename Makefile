# The two commands: `make demo` and `make test`. Each creates .venv on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
export KERAS_BACKEND := torch

.PHONY: demo test test-fast browser postgres tmux tex venv clean bench lint

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -U "pip>=25.1"
	$(PIP) install -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) install -e . --group test
	touch $@

# the static checkers (ruff; mypy; vulture), the `lint` dependency group
$(VENV)/.lint: $(VENV)/.base
	$(PIP) install --group lint
	touch $@

venv: $(VENV)/.test $(VENV)/.lint

# headless Chromium for the browser tests (Debian packages), installed once when missing
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian packages) for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# PostgreSQL server binaries for the store tests (Debian packages; tests/pgserver.py starts a
# private cluster on a unix socket, as the postgres user when run as root) and tmux for the
# terminal tests; installed once when missing
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing postgresql (Debian packages) for the store tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

tmux:
	@command -v tmux >/dev/null 2>&1 || { \
	  echo "installing tmux (Debian package) for the terminal tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux; }

# TeX Live for the test that compiles the LaTeX output (Debian packages; the PDF path itself
# needs no TeX: it is Typst, from PyPI); installed once when missing
tex:
	@command -v pdflatex >/dev/null 2>&1 || { \
	  echo "installing TeX Live (Debian packages) for the LaTeX compile test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends texlive-latex-base texlive-latex-recommended texlive-pictures; }

demo: $(VENV)/.base
	@bash scripts/demo.sh

test: $(VENV)/.test browser postgres tmux tex lint
	$(PY) -m pytest -n 2 -q

# static checks run by `make test` (and so by CI); vulture: code nothing uses (at its surest)
lint: $(VENV)/.lint
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/vulture generator grader cnnquiz bench --min-confidence 100

# everything except the slow framework and browser comparisons
test-fast: $(VENV)/.test
	$(PY) -m pytest -n 2 -q -m "not frameworks and not browser"

bench: $(VENV)/.test
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b; done

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build dist *.egg-info demo-out
