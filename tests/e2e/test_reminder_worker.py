"""End to end: a real Celery worker on the Redis broker sends the reminders to a real SMTP server.

Needs PostgreSQL (the worker is another process and must see the test database) and Redis at
127.0.0.1:6379. Without them the test is skipped, unless REQUIRE_SERVICES=1, where it fails.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from celery import Celery
from django.db import connection
from django.utils import timezone

from contracts.services import contract_save
from core.roles import PROCUREMENT

from ..factories import UserFactory, VendorFactory, active_contract_for

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"


def services_missing() -> str | None:
    if connection.vendor != "postgresql":
        return "the worker process needs PostgreSQL (set DATABASE_URL), not the in-memory test database"
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2):
            pass
    except OSError as error:
        return f"Redis is not reachable at 127.0.0.1:6379: {error}"
    return None


@pytest.fixture
def services():
    missing = services_missing()
    if missing:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"REQUIRE_SERVICES=1 but {missing}")
        pytest.skip(missing)


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def worker(services, smtp_server, tmp_path):
    controller, _mailbox = smtp_server
    queue = f"e2e-{uuid.uuid4().hex[:8]}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_RESULT_BACKEND": REDIS_URL,
        "EMAIL_URL": f"smtp://127.0.0.1:{controller.port}",
        "DEFAULT_FROM_EMAIL": "reminders@example.com",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=info",
        ],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    client = Celery("e2e", broker=REDIS_URL, backend=REDIS_URL)
    yield lambda: client.send_task("core.tasks.send_reminders", queue=queue).get(timeout=90)
    process.terminate()
    process.wait(timeout=30)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_on_redis_delivers_each_reminder_once_over_smtp(worker, smtp_server):
    _controller, mailbox = smtp_server
    owner = UserFactory(username="owner-e2e", email="owner@example.com", roles=[PROCUREMENT])
    vendor_owner = UserFactory(
        username="vendor-owner-e2e", email="vendor.owner@example.com", roles=[PROCUREMENT]
    )
    vendor = VendorFactory(owner=vendor_owner)
    contract = active_contract_for(vendor, owner=owner, notice_days=30)
    contract.ends_on = timezone.localdate() + timedelta(days=30 + 7)  # notice deadline in 7 days
    contract_save(contract=contract, user=owner)
    assert contract.status == "active"

    first = worker()
    time.sleep(0.5)
    assert first["contracts"]["sent"] == 2
    assert sorted(rcpt for m in mailbox.messages for rcpt in m.rcpt_tos) == [
        "owner@example.com",
        "vendor.owner@example.com",
    ]
    assert all(contract.reference in m.content.decode() for m in mailbox.messages)

    second = worker()
    time.sleep(0.5)
    assert second["contracts"]["sent"] == 0
    assert len(mailbox.messages) == 2
