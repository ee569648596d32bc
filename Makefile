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

messages:
	$(PY)/pybabel extract -F babel.cfg -k N_ -o locales/messages.pot --project "Pilot CRM" .
	$(PY)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/networks/babel.cfg -k N_ -o plugins/networks/locales/messages.pot \
		--project "Pilot CRM networks plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/networks
	$(PY)/pybabel update -i plugins/networks/locales/messages.pot -d plugins/networks/locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/engagement/babel.cfg -k N_ -o plugins/engagement/locales/messages.pot \
		--project "Pilot CRM engagement plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/engagement
	$(PY)/pybabel update -i plugins/engagement/locales/messages.pot -d plugins/engagement/locales --no-fuzzy-matching
