"""Two people editing the same record: the second save is refused, names the first, and keeps its input."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from assessments.models import Assessment, Finding, Standard
from assessments.selectors import answers_version
from assessments.services import assessment_create
from contracts.models import Clause, ProtectionContract
from contracts.services import contract_save
from core.history import latest_version, record_history
from core.roles import COMPLIANCE, PROCUREMENT
from vendors.models import Vendor
from vendors.services import vendor_save

from ..edit_forms import page_form_data
from ..factories import (
    ContactFactory,
    CriterionFactory,
    DataCategoryFactory,
    PurposeFactory,
    ReentrustmentConsentFactory,
    StandardFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(username: str, first_name: str, role: str) -> Client:
    client = Client()
    client.force_login(
        UserFactory(username=username, first_name=first_name, last_name="Tester", roles=[role])
    )
    return client


@pytest.fixture
def alice():
    return signed_in("alice", "Alice", PROCUREMENT)


@pytest.fixture
def bob():
    return signed_in("bob", "Bob", PROCUREMENT)


def refusal(obj, history) -> str:
    """The message the second editor gets, naming the newest version of `history`."""
    newest = history.select_related("history_user").order_by("-history_id").first()
    when = formats.date_format(timezone.localtime(newest.history_date), "Y-m-d H:i")
    user = newest.history_user.get_full_name() or newest.history_user.username
    return (
        f"“{obj}” was changed by {user} at {when} since you opened it: review their change, then save again."
    )


def hidden_version(html: str, version: int) -> bool:
    return f'name="version" value="{version}"' in html


# --- vendor -------------------------------------------------------------------------------------------------


@pytest.fixture
def vendor(procurement_user):
    return vendor_save(vendor=VendorFactory.build(name="Sakura Data K.K."), user=procurement_user)


def test_the_vendor_edit_page_carries_the_latest_version(alice, vendor):
    html = alice.get(reverse("vendors:edit", args=[vendor.pk])).content.decode()
    assert hidden_version(html, vendor.history.get().history_id)


def test_the_second_of_two_vendor_edits_is_refused_naming_the_first_and_keeping_its_input(alice, bob, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    alices_form, bobs_form = alice.get(url), bob.get(url)

    first = alice.post(url, page_form_data(alices_form, name="Sakura Renamed K.K."))
    assert first.status_code == 302
    second = bob.post(url, page_form_data(bobs_form, notes="Noted by Bob.", principal_count="5000"))

    assert second.status_code == 200
    vendor.refresh_from_db()
    message = refusal(vendor, vendor.history)
    assert "Alice Tester" in message
    form = second.context["form"]
    assert form.non_field_errors() == [message]
    html = second.content.decode()
    assert message in html
    assert form["notes"].value() == "Noted by Bob." and "Noted by Bob." in html
    assert form["principal_count"].value() == "5000"
    assert form["name"].value() == "Sakura Data K.K."  # Bob's input, not Alice's
    # Nothing of Bob's is saved: Alice's change stands, no version of Bob's.
    assert (vendor.name, vendor.notes, vendor.principal_count) == ("Sakura Renamed K.K.", "", 0)
    assert vendor.history.count() == 2
    assert vendor.history.filter(history_user__username="bob").count() == 0


def test_after_the_refusal_saving_again_deliberately_overwrites(alice, bob, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    alices_form, bobs_form = alice.get(url), bob.get(url)
    alice.post(url, page_form_data(alices_form, name="Sakura Renamed K.K."))
    refused = bob.post(url, page_form_data(bobs_form, notes="Noted by Bob."))

    current = latest_version(vendor.history.all())
    assert hidden_version(refused.content.decode(), current)  # the re-shown form takes the current token
    again = bob.post(url, page_form_data(bobs_form, notes="Noted by Bob.", version=current))

    assert again.status_code == 302
    vendor.refresh_from_db()
    assert (vendor.name, vendor.notes) == ("Sakura Data K.K.", "Noted by Bob.")
    assert vendor.history.latest("history_id").history_user.username == "bob"


def without_token(data: dict) -> dict:
    return {name: value for name, value in data.items() if name != "version"}


def test_a_vendor_edit_without_the_token_is_checked_against_the_form_the_session_opened(alice, bob, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    alices_form, bobs_form = alice.get(url), bob.get(url)
    assert alice.post(url, without_token(page_form_data(alices_form, name="Renamed K.K."))).status_code == 302

    refused = bob.post(url, without_token(page_form_data(bobs_form, notes="Noted by Bob.")))

    assert refused.status_code == 200
    vendor.refresh_from_db()
    assert refused.context["form"].non_field_errors() == [refusal(vendor, vendor.history)]
    assert hidden_version(refused.content.decode(), latest_version(vendor.history.all()))
    assert (vendor.name, vendor.notes) == ("Renamed K.K.", "")
    # Posting again is the deliberate overwrite, as with the token; and one's own save is no conflict.
    assert bob.post(url, without_token(page_form_data(bobs_form, notes="Noted by Bob."))).status_code == 302
    assert bob.post(url, without_token(page_form_data(bobs_form, notes="Again."))).status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).notes == "Again."


def test_a_vendor_edit_without_the_token_or_an_opened_form_is_saved(alice, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    data = without_token(page_form_data(alice.get(url), name="Scripted K.K."))

    response = signed_in("carol", "Carol", PROCUREMENT).post(url, data)

    assert response.status_code == 302
    assert Vendor.objects.get(pk=vendor.pk).name == "Scripted K.K."
    assert vendor.history.latest("history_id").history_user.username == "carol"


def test_a_garbled_token_is_refused_as_stale(alice, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    response = alice.post(url, page_form_data(alice.get(url), name="Scripted K.K.", version="abc"))
    assert response.status_code == 200
    assert Vendor.objects.get(pk=vendor.pk).name == "Sakura Data K.K."


def test_a_status_change_since_the_form_was_opened_also_refuses_the_edit(alice, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    opened = alice.get(url)
    vendor.status = Vendor.Status.UNDER_REVIEW
    vendor.save()  # a plain save writes a version too, as the status services do

    response = alice.post(url, page_form_data(opened, notes="Late."))

    assert response.status_code == 200
    assert Vendor.objects.get(pk=vendor.pk).notes == ""


def test_a_change_by_a_scheduled_job_is_named_as_automatic(alice, vendor):
    url = reverse("vendors:edit", args=[vendor.pk])
    opened = alice.get(url)
    record_history(vendor, user=None, reason="Recomputed.")

    response = alice.post(url, page_form_data(opened, notes="Late."))

    newest = vendor.history.latest("history_id")
    when = formats.date_format(timezone.localtime(newest.history_date), "Y-m-d H:i")
    assert response.context["form"].non_field_errors() == [
        f"“Sakura Data K.K.” was changed automatically at {when} since you opened it: "
        "review the change, then save again."
    ]


# --- contract -----------------------------------------------------------------------------------------------


def test_the_second_of_two_contract_edits_is_refused_and_saves_nothing(alice, bob, procurement_user):
    contract = active_contract_for(VendorFactory(), reference="PC-RACE", title="Original title")
    contract_save(contract=contract, user=procurement_user, reason="Imported.")
    url = reverse("contracts:edit", args=[contract.pk])
    alices_form, bobs_form = alice.get(url), bob.get(url)
    assert hidden_version(alices_form.content.decode(), latest_version(contract.history.all()))

    assert alice.post(url, page_form_data(alices_form, title="Title by Alice")).status_code == 302
    second = bob.post(url, page_form_data(bobs_form, ends_on="2030-03-31", notes="Bob was here."))

    assert second.status_code == 200
    contract.refresh_from_db()
    message = refusal(contract, contract.history)
    assert second.context["form"].non_field_errors() == [message]
    assert message in second.content.decode()
    assert second.context["form"]["notes"].value() == "Bob was here."
    assert second.context["form"]["ends_on"].value() == "2030-03-31"
    assert (contract.title, contract.notes) == ("Title by Alice", "")
    assert contract.ends_on.isoformat() != "2030-03-31"
    assert contract.history.count() == 2


def test_a_contract_edit_without_the_token_is_checked_against_the_opened_form(alice, bob, procurement_user):
    contract = active_contract_for(VendorFactory(), reference="PC-SCRIPT", title="Original title")
    contract_save(contract=contract, user=procurement_user)
    url = reverse("contracts:edit", args=[contract.pk])
    bobs_form = bob.get(url)
    assert alice.post(url, without_token(page_form_data(alice.get(url), title="By Alice"))).status_code == 302

    response = bob.post(url, without_token(page_form_data(bobs_form, title="By Bob")))

    assert response.status_code == 200
    assert "since you opened it" in response.content.decode()
    assert ProtectionContract.objects.get(pk=contract.pk).title == "By Alice"


# --- assessment answers -------------------------------------------------------------------------------------


def answers_data(response, changes: dict[str, dict]) -> dict:
    """The questionnaire page's formset as the browser sends it (token included), with `changes` by code."""
    formset = response.context["formset"]
    management = formset.management_form
    data = {management.add_prefix(name): management[name].value() for name in management.fields}
    for form in formset.forms:
        values = {
            "id": form.instance.pk,
            "response": form.instance.response,
            "comment": form.instance.comment,
        }
        values.update(changes.get(form.instance.criterion.code, {}))
        data.update({form.add_prefix(name): value for name, value in values.items()})
    data["version"] = response.context["version"]
    return data


def form_of(response, code: str):
    return next(f for f in response.context["formset"].forms if f.instance.criterion.code == code)


def test_the_second_of_two_answer_saves_is_refused_and_keeps_its_answers(alice, bob, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    url = reverse("assessments:answers", args=[assessment.pk])
    alices_page, bobs_page = alice.get(url), bob.get(url)
    assert hidden_version(alices_page.content.decode(), answers_version(assessment))

    first = alice.post(url, answers_data(alices_page, {"BAS-01": {"response": "no"}}))
    assert first.status_code == 302
    second = bob.post(
        url, answers_data(bobs_page, {"HND-02": {"response": "no", "comment": "Rules being drafted."}})
    )

    assert second.status_code == 200
    answers = assessment.answers.model.history.filter(assessment_id=assessment.pk)
    message = refusal(Assessment.objects.get(pk=assessment.pk), answers)
    assert list(second.context["formset"].non_form_errors()) == [message]
    html = second.content.decode()
    assert message in html
    assert form_of(second, "HND-02")["comment"].value() == "Rules being drafted."
    assert form_of(second, "HND-02")["response"].value() == "no"
    assert "Rules being drafted." in html
    assert hidden_version(html, answers_version(assessment))
    stored = dict(assessment.answers.values_list("criterion__code", "response"))
    assert (stored["BAS-01"], stored["HND-02"]) == ("no", "")
    assert not answers.filter(history_user__username="bob").exists()


def test_answers_posted_without_the_token_are_checked_against_the_opened_page(alice, bob, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    url = reverse("assessments:answers", args=[assessment.pk])
    bobs_page = bob.get(url)
    alices = without_token(answers_data(alice.get(url), {"BAS-01": {"response": "yes"}}))
    assert alice.post(url, alices).status_code == 302

    response = bob.post(url, without_token(answers_data(bobs_page, {"BAS-01": {"response": "no"}})))

    assert response.status_code == 200
    assert "since you opened it" in response.content.decode()
    assert assessment.answers.get(criterion__code="BAS-01").response == "yes"


def test_answers_posted_without_the_token_or_an_opened_page_are_saved(alice, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    url = reverse("assessments:answers", args=[assessment.pk])
    data = without_token(answers_data(alice.get(url), {"BAS-01": {"response": "yes"}}))

    assert signed_in("carol", "Carol", PROCUREMENT).post(url, data).status_code == 302
    assert assessment.answers.get(criterion__code="BAS-01").response == "yes"


def test_answers_saved_from_a_current_page_pass(alice, procurement_user):
    assessment = assessment_create(vendor=VendorFactory(), user=procurement_user)
    url = reverse("assessments:answers", args=[assessment.pk])
    assert alice.post(url, answers_data(alice.get(url), {"BAS-01": {"response": "yes"}})).status_code == 302
    # The next save starts from the page as it is now: no refusal of one's own previous save.
    assert alice.post(url, answers_data(alice.get(url), {"HND-02": {"response": "no"}})).status_code == 302
    stored = dict(assessment.answers.values_list("criterion__code", "response"))
    assert (stored["BAS-01"], stored["HND-02"]) == ("yes", "no")


# --- every other edit page of a record ----------------------------------------------------------------------


def _finding():
    assessment = assessment_create(
        vendor=VendorFactory(), user=UserFactory(username="preparer", roles=[PROCUREMENT])
    )
    return Finding.objects.create(assessment=assessment, description="Laptops are not encrypted.")


EDIT_PAGES = {
    "vendors:contact_edit": (PROCUREMENT, lambda: ContactFactory(name="Old Contact"), "name"),
    "vendors:datacategory_edit": (COMPLIANCE, DataCategoryFactory, "name_en"),
    "vendors:purpose_edit": (COMPLIANCE, PurposeFactory, "name_en"),
    "contracts:consent_edit": (PROCUREMENT, ReentrustmentConsentFactory, "notes"),
    "contracts:clause_edit": (COMPLIANCE, lambda: Clause.objects.order_by("pk").first(), "title_en"),
    "assessments:finding_edit": (COMPLIANCE, _finding, "description"),
    "assessments:standard_edit": (COMPLIANCE, StandardFactory, "notes"),
    "assessments:criterion_edit": (COMPLIANCE, CriterionFactory, "guidance"),
}


@pytest.mark.parametrize("name", EDIT_PAGES)
def test_every_edit_page_refuses_the_second_of_two_saves(name):
    role, make, field = EDIT_PAGES[name]
    obj = make()
    first, second = signed_in("first", "First", role), signed_in("second", "Second", role)
    url = reverse(name, args=[obj.pk])
    first_form, second_form = first.get(url), second.get(url)
    assert hidden_version(first_form.content.decode(), latest_version(obj.history.all()))

    assert first.post(url, page_form_data(first_form, **{field: "Text by First"})).status_code == 302
    response = second.post(url, page_form_data(second_form, **{field: "Second text"}))

    assert response.status_code == 200
    obj.refresh_from_db()
    assert response.context["form"].non_field_errors() == [refusal(obj, obj.history)]
    assert response.context["form"][field].value() == "Second text"
    assert getattr(obj, field) == "Text by First"
    assert not obj.history.filter(history_user__username="second").exists()


def test_a_draft_standard_page_still_saves_when_nobody_else_changed_it(client_as):
    standard = StandardFactory()
    client = client_as("compliance")
    url = reverse("assessments:standard_edit", args=[standard.pk])
    assert client.post(url, page_form_data(client.get(url), notes="First.")).status_code == 302
    assert client.post(url, page_form_data(client.get(url), notes="Second.")).status_code == 302
    assert Standard.objects.get(pk=standard.pk).notes == "Second."
