# Two commands do all the set-up: `make run` and `make test`.
# Each creates .venv and installs what is missing; when nothing changed the
# install step is skipped (the stamp is newer than pyproject.toml).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot $(ARGS)

test: $(STAMP)
	$(BIN)/python -m ruff check bot tests bench
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/python -m ruff check bot tests bench

clean:
	rm -rf $(VENV) data

# Re-extract every message of the code and the content packs, and merge it into each catalog.
messages: $(STAMP)
	$(BIN)/pybabel extract -F pyproject.toml \
		--add-comments=Translators: --sort-by-file --no-wrap \
		--project=Waypoint --version=1 -o locales/messages.pot .
	@for po in locales/*/LC_MESSAGES/messages.po; do \
		[ -f "$$po" ] || continue; \
		lang=$$(basename $$(dirname $$(dirname $$po))); \
		$(BIN)/pybabel update --no-wrap --ignore-obsolete -i locales/messages.pot -d locales -l $$lang; \
	done
