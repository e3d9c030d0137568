"""The Django admin: every model of ours is there, read-only, and only superusers get in."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalChanges

from ..factories import (
    ConsentRecordFactory,
    ContactFactory,
    CountryFactory,
    CriterionFactory,
    DataCategoryFactory,
    ForeignTransferFactory,
    JointUseArrangementFactory,
    PeriodicCheckFactory,
    ProtectionContractFactory,
    ProvisionRecordFactory,
    PurposeFactory,
    ReentrustmentConsentFactory,
    StandardFactory,
    UserFactory,
    VendorFactory,
    approved_assessment_for,
)

APPS = ("core", "vendors", "contracts", "assessments", "transfers")


def domain_models() -> list:
    """Every concrete model of our apps, without simple-history's Historical* models (M2M ones included);
    get_models() already leaves out the auto-created M2M through tables."""
    return [
        model
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if not issubclass(model, HistoricalChanges)
    ]


MODELS = domain_models()


def label(model) -> str:
    return model._meta.label


def url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def make_assessment():
    return approved_assessment_for(VendorFactory())


def make_answer():
    return apps.get_model("assessments", "Answer").objects.create(
        assessment=make_assessment(), criterion=CriterionFactory(), response="yes"
    )


def make_finding():
    return apps.get_model("assessments", "Finding").objects.create(
        assessment=make_assessment(),
        criterion=CriterionFactory(),
        description="Access logs are not reviewed.",
        owner=UserFactory(),
        due_on=timezone.localdate() + timedelta(days=30),
    )


def make_clause():
    Clause = apps.get_model("contracts", "Clause")
    n = Clause.objects.count()
    return Clause.objects.create(
        code=f"admin-test-{n}", title_en=f"Clause {n}", title_ja=f"条項{n}", required_for=["entrustment"]
    )


def make_reminder():
    contract = ProtectionContractFactory(owner=UserFactory())
    return apps.get_model("core", "ReminderLog").objects.create(
        kind="contract_decision",
        subject_type=ContentType.objects.get_for_model(contract),
        subject_id=contract.pk,
        deadline=timezone.localdate() + timedelta(days=30),
        threshold=30,
        recipient=contract.owner,
    )


def make_verification():
    return apps.get_model("core", "HistoryVerification").objects.create(
        started_at=timezone.now(), finished_at=timezone.now()
    )


def make_alert():
    HistoryAlert = apps.get_model("core", "HistoryAlert")
    n = HistoryAlert.objects.count()
    return HistoryAlert.objects.create(key=f"admin-test-{n}", verification=make_verification(), finding={})


# One new row of each model (with the relations its admin pages show); a model missing here still must be
# registered and have a working changelist, but its change and history pages are not exercised.
BUILDERS = {
    "core.UserProfile": lambda: UserFactory().profile,
    "core.ReminderLog": make_reminder,
    "core.RegisterExport": lambda: apps.get_model("core", "RegisterExport").objects.create(
        user=UserFactory(), register_name="vendors", path="/vendors/export.xlsx", language="en"
    ),
    "core.HistoryVerification": make_verification,
    "core.HistoryAlert": make_alert,
    "vendors.DataCategory": DataCategoryFactory,
    "vendors.Purpose": PurposeFactory,
    "vendors.Vendor": lambda: VendorFactory(owner=UserFactory()),
    "vendors.Contact": ContactFactory,
    "contracts.Clause": make_clause,
    "contracts.ProtectionContract": lambda: ProtectionContractFactory(owner=UserFactory()),
    "contracts.ReentrustmentConsent": ReentrustmentConsentFactory,
    "assessments.Standard": StandardFactory,
    "assessments.Criterion": CriterionFactory,
    "assessments.Assessment": make_assessment,
    "assessments.Answer": make_answer,
    "assessments.Finding": make_finding,
    "transfers.Country": CountryFactory,
    "transfers.ForeignTransfer": ForeignTransferFactory,
    "transfers.PeriodicCheck": lambda: PeriodicCheckFactory(checked_by=UserFactory()),
    "transfers.ConsentRecord": ConsentRecordFactory,
    "transfers.JointUseArrangement": JointUseArrangementFactory,
    "transfers.ProvisionRecord": lambda: ProvisionRecordFactory(transfer=ForeignTransferFactory()),
}


@pytest.fixture
def staff_client(db):
    """Staff with every model permission but not a superuser: the admin must still refuse them."""
    user = UserFactory(username="staff", is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


def test_the_walk_finds_the_models_of_every_app():
    assert {model._meta.app_label for model in MODELS} == set(APPS)
    assert not [model for model in MODELS if model.__name__.startswith("Historical")]


def test_every_model_is_registered_in_the_admin():
    missing = [label(model) for model in MODELS if model not in admin.site._registry]
    assert missing == [], "models without an admin: register them in their app's admin.py"


def test_every_model_has_a_builder_for_its_admin_pages():
    assert {label(model) for model in MODELS} - set(BUILDERS) == set()


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_a_superuser_reads_the_changelist_change_and_history_pages(superuser_client, model):
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    build = BUILDERS.get(label(model))
    if build is None:
        pytest.skip(f"no builder for {label(model)}")
    obj = build()
    response = superuser_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1
    assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200
    assert superuser_client.get(url(model, "history", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_nobody_adds_changes_or_deletes_through_the_admin(superuser_client, model):
    assert superuser_client.get(url(model, "add")).status_code == 403
    build = BUILDERS.get(label(model))
    if build is None:
        pytest.skip(f"no builder for {label(model)}")
    obj = build()
    assert superuser_client.post(url(model, "change", obj.pk), {}).status_code == 403
    assert superuser_client.get(url(model, "delete", obj.pk)).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_the_changelist_runs_the_same_number_of_queries_for_one_row_or_four(superuser_client, model):
    build = BUILDERS.get(label(model))
    if build is None:
        pytest.skip(f"no builder for {label(model)}")
    build()
    with CaptureQueriesContext(connection) as one:
        assert superuser_client.get(url(model, "changelist")).status_code == 200
    for _ in range(3):
        build()
    with CaptureQueriesContext(connection) as four:
        assert superuser_client.get(url(model, "changelist")).status_code == 200
    assert len(four) == len(one), [query["sql"] for query in four.captured_queries]


@pytest.mark.parametrize("model", MODELS, ids=label)
def test_staff_who_are_not_superusers_are_sent_to_the_admin_login(staff_client, model):
    response = staff_client.get(url(model, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_staff_who_are_not_superusers_cannot_open_the_admin_index(staff_client):
    response = staff_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_admin_login_tells_a_signed_in_non_superuser_they_are_not_authorized(staff_client):
    response = staff_client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert b"not authorized" in response.content


def test_a_superuser_opens_the_admin_index_with_our_header(superuser_client):
    response = superuser_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Vendor Register administration" in response.content.decode()


def test_signed_out_visitors_are_sent_to_the_admin_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
