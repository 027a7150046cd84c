# Steady: `make run` (the app on embedded defaults) and `make test` (the suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python

# A Python of 3.12 or newer: the one .python-version names through pyenv, else python3.13,
# python3.12, else python3 if it is new enough.
define find_python
for candidate in "$$(pyenv which python 2>/dev/null)" $$(ls -d $$HOME/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -r) python3.13 python3.12 python3; do \
  [ -n "$$candidate" ] || continue; \
  if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: help run test venv migrate demo bench messages clean

help:
	@echo "make run    start Steady on embedded defaults (SQLite, no Redis needed) with demo data"
	@echo "make test   run the test suite"
	@echo "make messages   refresh the translation catalogs from the code, then compile them"

$(VENV)/.installed: pyproject.toml
	@python="$$($(find_python))" || { echo "Steady needs Python 3.12 or newer and none was found. Install one (for example 'pyenv install 3.12') and run make again." >&2; exit 1; }; \
	  echo "Using $$python ($$($$python --version))"; \
	  if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then rm -rf $(VENV); fi; \
	  [ -x $(PY) ] || "$$python" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

# run_embedded checks the port first, then loads missing demo rows, then starts everything.
run: migrate
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_embedded --demo

# The import contracts first (pyproject.toml: the wings sit above the domain code, no cycles).
# Static files are collected first, as in production: the pages under test use the manifest.
test: venv
	$(VENV)/bin/lint-imports --no-cache
	export SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} STEADY_VAR_DIR=$${STEADY_VAR_DIR:-$(CURDIR)/var/test}; \
	  $(PY) manage.py collectstatic --noinput -v0 && $(PY) -m pytest $(PYTEST_ARGS)

# Static files first: the HTTP benchmark serves Steady's pages with DEBUG off (the manifest).
bench: venv
	export SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only} STEADY_VAR_DIR=$${STEADY_VAR_DIR:-$(CURDIR)/var/test}; \
	  $(PY) manage.py collectstatic --noinput -v0 && $(PY) -m pytest tests/bench -s -p no:cacheprovider $(PYTEST_ARGS)

# The catalogs under locale/ (README: "Languages"): new strings arrive untranslated, and the
# catalog test fails until each has its translation; the compiled .mo files are committed.
MAKEMESSAGES := makemessages -a --add-location file --ignore=.venv --ignore=staticfiles --ignore='var/*' --ignore='tests/*'
messages: venv
	export SECRET_KEY=$${SECRET_KEY:-insecure-key-for-tests-only}; \
	  $(PY) manage.py $(MAKEMESSAGES) && $(PY) manage.py $(MAKEMESSAGES) -d djangojs \
	  && $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
