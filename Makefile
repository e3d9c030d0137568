# Two commands to know: `make run` and `make test`. Everything else is a building block.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint migrate demo check-deploy messages
MESSAGE_IGNORES := --ignore=.venv --ignore=staticfiles --ignore=tests --ignore=var --ignore=bench --ignore=media

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The compiled catalogue is build output: made from the committed .po, never edited or committed.
MO := locale/ja/LC_MESSAGES/django.mo
$(MO): locale/ja/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/python manage.py compile_translations

install: $(STAMP) $(MO)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo --if-empty

# The web server, plus a Celery worker with embedded beat on a file-system queue (no services needed).
# Reminder emails are written to var/mail/ (one file per email); the worker logs to var/celery/worker.log.
run: demo
	@mkdir -p var/celery/queue var/mail
	@echo "Open http://127.0.0.1:8000/ and sign in with one of the logins above."
	@echo "Reminder emails land in var/mail/; the worker log is var/celery/worker.log."
	export EMAIL_URL="$${EMAIL_URL:-filemail:///$(CURDIR)/var/mail}" REMINDER_INTERVAL_SECONDS="$${REMINDER_INTERVAL_SECONDS:-60}"; \
	$(BIN)/celery -A config worker --beat --pool=solo --schedule=var/celery/beat-schedule \
		--loglevel=info --logfile=var/celery/worker.log & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# The browser journeys run in a session of their own: their live server's transactional database would
# otherwise be emptied under the other transactional tests (and theirs under it).
test: install
	$(BIN)/python -m pytest --ignore=tests/browser
	$(BIN)/python -m pytest tests/browser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# After changing UI text: update the .po (needs GNU gettext), translate the new entries, then `make install`.
messages: install
	$(BIN)/python manage.py makemessages -l ja $(MESSAGE_IGNORES)

# Benchmarks (bench/run.py; PostgreSQL on 127.0.0.1): builds the data sets bench_10000, bench_30000 and
# bench_50000 with generate_data once (tens of minutes; reused while they hold that many vendors), measures every
# figure beside its reference, writes bench/results.json and bench/RESULTS.md.
.PHONY: bench
bench: install
	$(BIN)/python bench/run.py

# Load test (bench/loadtest.py; PostgreSQL): migrates bench_10000 (built as for `make bench` if missing) and gives
# its generated users a password, then drives gunicorn (production settings, 4 workers) with 20 signed-in locust
# users for 60 s (LOADTEST_USERS, LOADTEST_SECONDS, LOADTEST_WORKERS, LOADTEST_VENDORS); writes bench/LOADTEST.md
# and bench/loadtest-results.json.
.PHONY: loadtest
loadtest: install
	$(BIN)/python bench/loadtest.py

check-deploy: install
	DJANGO_DEBUG=False DJANGO_SECRET_KEY=ci-only-$$(date +%s)-a-long-random-looking-secret-key-value-xyz \
	DJANGO_ALLOWED_HOSTS=vendors.example.com $(BIN)/python manage.py check --deploy --fail-level WARNING
