"""Activating a standard-conforming-system transfer while someone records a `difficult` periodic check of
it: either the check came first and activation is refused, or activation came first and the check
suspends the transfer. Never an active transfer whose latest check says provision must stop.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.roles import COMPLIANCE
from transfers import services as transfer_services
from transfers.models import ForeignTransfer, PeriodicCheck
from transfers.services import periodic_check_record, transfer_activate

from ..factories import (
    CountryFactory,
    ForeignVendorFactory,
    PeriodicCheckFactory,
    SystemTransferFactory,
    UserFactory,
)
from .together import run_together

pytestmark = [
    pytest.mark.postgresql("SQLite has no row locks (select_for_update) and one writer at a time"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Status = ForeignTransfer.Status


@pytest.fixture
def people():
    return {
        "activate": UserFactory(username="activator", roles=[COMPLIANCE]),
        "check": UserFactory(username="checker", roles=[COMPLIANCE]),
    }


@pytest.fixture
def transfer():
    """A planned transfer that may be activated now: basis, document, and an `ok` check 30 days ago."""
    transfer = SystemTransferFactory(
        vendor=ForeignVendorFactory(name="Cloudy Inc."), country=CountryFactory()
    )
    PeriodicCheckFactory(transfer=transfer, checked_on=timezone.localdate() - timedelta(days=30))
    assert transfer_services.transfer_unmet_prerequisites(transfer) == []
    return transfer


def holding_the_lock(monkeypatch, name: str, when, locked: threading.Event) -> None:
    """`name`, a function of transfers.services called with the transfer row locked, reports that the
    row is locked and keeps it so for a second before going on."""
    original = getattr(transfer_services, name)

    def slowed(*args, **kwargs):
        if when(*args, **kwargs):
            locked.set()
            time.sleep(1)  # the other request arrives while the row is locked, and waits
        return original(*args, **kwargs)

    monkeypatch.setattr(transfer_services, name, slowed)


FIRST = pytest.mark.parametrize(
    "first",
    [None, "activate", "check"],
    ids=["released-together", "activation-locks-first", "check-locks-first"],
)


def race(transfer, people, monkeypatch, first) -> dict:
    locked = threading.Event()
    if first == "activate":
        holding_the_lock(monkeypatch, "transfer_unmet_prerequisites", lambda transfer: True, locked)
    elif first == "check":
        holding_the_lock(
            monkeypatch,
            "save_with_history",
            lambda instance, **kw: isinstance(instance, PeriodicCheck),
            locked,
        )
    else:
        locked.set()

    def after(name):
        if first is not None and name != first:
            assert locked.wait(timeout=60)

    def activate():
        after("activate")
        return transfer_activate(
            transfer=ForeignTransfer.objects.get(pk=transfer.pk), user=people["activate"]
        )

    def check():
        after("check")
        return periodic_check_record(
            transfer=ForeignTransfer.objects.get(pk=transfer.pk),
            user=people["check"],
            checked_on=timezone.localdate(),
            result=PeriodicCheck.Result.DIFFICULT,
            implementation_status="The recipient no longer applies the measures.",
            impediments="A new law obliges it to hand data to the government on request.",
        )

    return run_together({"activate": activate, "check": check})


def latest_check(transfer) -> PeriodicCheck:
    return PeriodicCheck.objects.filter(transfer=transfer).order_by("-checked_on", "-pk").first()


@FIRST
def test_activation_racing_a_difficult_check_never_leaves_the_transfer_active(
    transfer, people, monkeypatch, mailoutbox, first
):
    outcomes = race(transfer, people, monkeypatch, first)

    assert outcomes["check"].ok, repr(outcomes["check"].error)
    if first is not None:
        assert outcomes["activate"].ok == (first == "activate")
    stored = ForeignTransfer.objects.get(pk=transfer.pk)
    assert latest_check(stored).result == PeriodicCheck.Result.DIFFICULT
    assert stored.status != Status.ACTIVE
    statuses = [version.status for version in stored.history.order_by("history_id")]
    if outcomes["activate"].ok:
        # Activation came first, and the check suspended it at once.
        assert stored.status == Status.SUSPENDED
        assert statuses[-2:] == [Status.ACTIVE, Status.SUSPENDED]
        assert stored.history.order_by("history_id").last().history_user == people["check"]
        assert sorted(address for message in mailoutbox for address in message.to) == [
            "activator@example.com",
            "checker@example.com",
        ]
    else:
        # The check came first: the transfer stayed planned, and activation says why.
        error = outcomes["activate"].error
        assert isinstance(error, ValidationError), repr(error)
        assert error.messages == [
            f"The check of {timezone.localdate()} found continued implementation difficult: "
            "provision must stop."
        ]
        assert stored.status == Status.PLANNED
        assert Status.ACTIVE not in statuses
        assert mailoutbox == []
