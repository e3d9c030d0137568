"""generate_data: a large, realistic, reproducible register for benchmarks (run here with 60 vendors)."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from assessments.models import Answer, Assessment
from assessments.services import applicable_criteria, assessment_score
from contracts.models import ProtectionContract
from contracts.services import due_notice_reminders
from core.datagen import fingerprint
from core.history import versions
from core.roles import COMPLIANCE, PROCUREMENT
from vendors.models import Vendor
from vendors.services import vendor_approval_blockers
from vendors.validators import is_valid_corporate_number

from ..factories import VendorFactory

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)
ARGS = ("--vendors", "60", "--seed", "3", "--today", TODAY.isoformat())


def generate(*args) -> str:
    out = io.StringIO()
    call_command("generate_data", *args, stdout=out)
    return out.getvalue()


class TestTheGeneratedRegister:
    """One generated register, shared by these tests and rolled back after them."""

    @pytest.fixture(scope="class", autouse=True)
    def output(self, django_db_setup, django_db_blocker, tmp_path_factory):
        media = tmp_path_factory.mktemp("generated-media")
        with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
            yield generate(*ARGS)
            transaction.set_rollback(True)

    def test_it_has_sixty_vendors_mostly_contractors_and_some_abroad(self):
        kinds = {kind: Vendor.objects.filter(kind=kind).count() for kind in Vendor.Kind.values}
        assert sum(kinds.values()) == 60
        assert kinds == {"contractor": 45, "subcontractor": 12, "joint_user": 3}
        assert Vendor.objects.exclude(country="JP").exists()
        assert Vendor.objects.filter(status=Vendor.Status.APPROVED).count() > 30

    def test_vendors_have_two_to_four_contracts_on_average(self):
        assert 2 * 60 <= ProtectionContract.objects.count() <= 4 * 60

    def test_every_submitted_or_decided_assessment_answers_each_applicable_criterion(self):
        decided = Assessment.objects.exclude(status=Assessment.Status.DRAFT).select_related(
            "vendor", "standard"
        )
        assert decided.filter(status=Assessment.Status.APPROVED).exists()
        for assessment in decided:
            answers = list(assessment.answers.select_related("criterion"))
            expected = {c.pk for c in applicable_criteria(assessment.standard, assessment.vendor)}
            assert {a.criterion_id for a in answers} == expected
            assert all(a.response for a in answers)
            card = assessment_score(assessment, answers)
            assert (card.score, card.result) == (assessment.score, assessment.result)

    def test_subcontractors_hang_under_a_contractor_at_most_four_deep(self):
        for sub in Vendor.objects.filter(kind=Vendor.Kind.SUBCONTRACTOR).select_related("parent"):
            chain = sub.ancestors()
            assert 1 <= len(chain) <= 4
            assert chain[-1].kind == Vendor.Kind.CONTRACTOR

    def test_japanese_vendors_have_valid_distinct_corporate_numbers(self):
        numbers = list(Vendor.objects.filter(country="JP").values_list("corporate_number", flat=True))
        assert numbers and all(is_valid_corporate_number(n) for n in numbers)
        assert len(set(numbers)) == len(numbers)

    def test_active_contracts_contain_every_required_clause(self):
        active = ProtectionContract.objects.filter(status=ProtectionContract.Status.ACTIVE)
        assert active.exists()
        assert not [c.reference for c in active.prefetch_related("clauses") if c.missing_clauses]

    def test_approved_vendors_with_an_approved_parent_pass_every_approval_gate_today(self, monkeypatch):
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
        approved = Vendor.objects.filter(status=Vendor.Status.APPROVED).select_related("parent")
        checked = [v for v in approved if v.parent is None or v.parent.status == Vendor.Status.APPROVED]
        assert len(checked) > 30
        assert {v.name: vendor_approval_blockers(v) for v in checked if vendor_approval_blockers(v)} == {}

    def test_history_rows_name_the_user_and_the_reason_and_start_with_a_creation(self):
        rows = Vendor.history.all()
        assert rows.count() > 3 * 60
        assert not rows.filter(history_user=None).exists()
        assert not rows.filter(history_change_reason__in=["", None]).exists()
        assert rows.filter(history_type="+").count() == 60
        roles = set(rows.values_list("history_user__groups__name", flat=True))
        assert roles == {PROCUREMENT, COMPLIANCE}
        answered = Answer.objects.exclude(response="").count()
        assert Answer.history.count() >= Answer.objects.count() + answered

    def test_a_vendors_history_page_shows_each_version_with_its_changes(self):
        vendor = Vendor.objects.filter(status=Vendor.Status.APPROVED).order_by("name").first()
        history = versions(vendor)
        assert history[-1].action == "Created"
        created = {change.label: change.new for change in history[-1].changes}
        assert created["name"] == vendor.name
        assert created["data categories"]  # the M2M sets are in the history too
        assert any(
            change.label == "status" and change.new == "Approved" for v in history for change in v.changes
        )
        assert all(v.changes for v in history)

    def test_about_one_percent_of_active_contracts_are_due_for_a_notice_reminder(self):
        active = ProtectionContract.objects.filter(status=ProtectionContract.Status.ACTIVE).count()
        due = list(due_notice_reminders(TODAY))
        assert 1 <= len(due) <= max(2, active // 30)

    def test_it_reports_progress_counts_and_a_fingerprint(self, output):
        assert "vendors 60/60" in output
        assert "history rows" in output
        assert f"fingerprint {fingerprint()}" in output


def test_the_same_seed_and_day_give_the_same_data(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def run(*args):
        with transaction.atomic():
            generate(*args)
            digest = fingerprint()
            transaction.set_rollback(True)
        return digest

    first = run(*ARGS)
    assert run(*ARGS) == first
    assert run("--vendors", "60", "--seed", "4", "--today", TODAY.isoformat()) != first


def test_it_refuses_to_run_when_vendors_exist():
    VendorFactory(name="Already here K.K.")
    with pytest.raises(CommandError, match="already holds 1 vendors"):
        call_command("generate_data", "--vendors", "5", stdout=io.StringIO())
    assert list(Vendor.objects.values_list("name", flat=True)) == ["Already here K.K."]
