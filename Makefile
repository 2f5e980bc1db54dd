# Two commands for a newcomer: `make demo` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint typecheck pytest bench fuzz docs clean

# Bytecode is compiled here because nothing else may write it: with PYTHONDONTWRITEBYTECODE set
# (as on this machine) every command would compile the package from source, ~20-30 ms a start.
setup: $(STAMP)
	@$(BIN)/python -m compileall -q assistant
	@$(BIN)/python -m assistant.browser.provision

# Reinstall only when the project's dependencies change; `make setup` stays cheap and idempotent.
$(STAMP): pyproject.toml
	@scripts/make-venv.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

demo: setup
	$(BIN)/assistant demo

lint: setup
	$(BIN)/ruff check assistant tests benchmarks
	$(BIN)/ruff format --check assistant tests benchmarks

typecheck: setup
	$(BIN)/mypy

# Three workers keep both cores busy (a browser test often waits on its page: with two, a fifth
# of the machine sat idle; measured 2026-12-07, 355 s against 400 s for the whole suite), so that
# one run fits the ten minutes CI allows. `make pytest PYTEST_JOBS=0` runs them in one process.
PYTEST_JOBS ?= 3

pytest: setup
	$(BIN)/pytest -n $(PYTEST_JOBS) --dist worksteal

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m benchmarks

fuzz: setup
	FUZZ_EXAMPLES=20000 $(BIN)/pytest -q tests/profiles/test_fuzz.py

# The reference in docs/, as a static site in site/ (open site/index.html). Strict: a broken link
# or a page missing from mkdocs.yml's nav fails it. The theme's end-of-life banner is not news
# at every build (docs/development.md says it once).
docs: setup
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis site
