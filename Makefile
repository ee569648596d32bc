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
	$(PY)/pybabel extract -F babel.cfg -k N_ -k NP_:1c,2 -o locales/messages.pot --project "Pilot CRM" .
	$(PY)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/networks/babel.cfg -k N_ -k NP_:1c,2 -o plugins/networks/locales/messages.pot \
		--project "Pilot CRM networks plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/networks
	$(PY)/pybabel update -i plugins/networks/locales/messages.pot -d plugins/networks/locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/engagement/babel.cfg -k N_ -k NP_:1c,2 -o plugins/engagement/locales/messages.pot \
		--project "Pilot CRM engagement plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/engagement
	$(PY)/pybabel update -i plugins/engagement/locales/messages.pot -d plugins/engagement/locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/angola/babel.cfg -k N_ -k NP_:1c,2 -o plugins/angola/locales/messages.pot \
		--project "Pilot CRM angola plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/angola
	$(PY)/pybabel update -i plugins/angola/locales/messages.pot -d plugins/angola/locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/mexico/babel.cfg -k N_ -k NP_:1c,2 -o plugins/mexico/locales/messages.pot \
		--project "Pilot CRM mexico plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/mexico
	$(PY)/pybabel update -i plugins/mexico/locales/messages.pot -d plugins/mexico/locales --no-fuzzy-matching
	$(PY)/pybabel extract -F plugins/demo_ar/babel.cfg -k N_ -k NP_:1c,2 -o plugins/demo_ar/locales/messages.pot \
		--project "Pilot CRM demo_ar plugin" --copyright-holder "Pilot CRM contributors" \
		--msgid-bugs-address pilot-crm@example.org plugins/demo_ar
	$(PY)/pybabel update -i plugins/demo_ar/locales/messages.pot -d plugins/demo_ar/locales --no-fuzzy-matching
