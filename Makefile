# Shortcuts for developers. The README's two commands need nothing but Python and pip.
VENV ?= .venv
PY := $(VENV)/bin

.PHONY: run test lint typecheck bench messages

run:
	python3 -m venv $(VENV) && $(PY)/pip install -q -e . && $(PY)/pilot-crm demo && $(PY)/pilot-crm serve

test:
	python3 -m venv $(VENV) && $(PY)/pip install -q -e ".[test]" && $(PY)/pytest

lint:
	$(PY)/ruff check . && $(PY)/ruff format --check .

typecheck:
	$(PY)/mypy

bench:
	$(PY)/python tests/bench/bench_contacts_list.py

# Every plugin that ships catalogs (tests/unit/test_locales.py checks the list is complete).
PLUGIN_CATALOGS := networks engagement angola mexico demo_ar

messages:
	$(PY)/pybabel extract -F babel.cfg -k N_ -k NP_:1c,2 -o locales/messages.pot --project "Pilot CRM" .
	$(PY)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching
	for p in $(PLUGIN_CATALOGS); do \
		$(PY)/pybabel extract -F plugins/$$p/babel.cfg -k N_ -k NP_:1c,2 -o plugins/$$p/locales/messages.pot \
			--project "Pilot CRM $$p plugin" --copyright-holder "Pilot CRM contributors" \
			--msgid-bugs-address pilot-crm@example.org plugins/$$p && \
		$(PY)/pybabel update -i plugins/$$p/locales/messages.pot -d plugins/$$p/locales --no-fuzzy-matching \
			|| exit 1; \
	done
