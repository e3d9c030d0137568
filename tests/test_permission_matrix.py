"""Every URL of the project, every method it accepts, every role: one declared table of expected answers.

The walk reads the URL resolver (the Django admin included), fills each URL's parameters from one object of
every kind, and requests each accepted method as each role, with empty data. A URL the table does not know
fails, and so does an entry for a URL that is gone. Only the answer is judged here; the per-app
test_permissions.py modules post valid data and check that a refused write changes nothing.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.views import View
from django.views.decorators.http import require_http_methods, require_POST

from assessments.models import Finding, Standard
from assessments.services import assessment_submit
from contracts.models import Clause
from core.history import record_history
from core.models import RegisterExport, ReminderLog
from core.roles import COMPLIANCE, PROCUREMENT, VIEWER
from transfers.models import JointUseArrangement, ProvisionRecord

from .conftest import ROLE_NAMES
from .factories import (
    ConsentRecordFactory,
    ConsentTransferFactory,
    ContactFactory,
    CriterionFactory,
    DataCategoryFactory,
    ForeignVendorFactory,
    JointUseArrangementFactory,
    JointUserFactory,
    PeriodicCheckFactory,
    ProvisionRecordFactory,
    PurposeFactory,
    ReentrustmentConsentFactory,
    StandardFactory,
    SubcontractorFactory,
    SystemTransferFactory,
    UserFactory,
    VendorFactory,
    active_contract_for,
    answered_assessment,
    pdf_file,
    seeded_country,
)

# --- what an answer may be ----------------------------------------------------------------------------------


class Redirect(NamedTuple):
    """A 302 to `url` (a query string after it, such as ?next=, is not compared)."""

    url: str


LOGIN = Redirect("/accounts/login/")
ADMIN_LOGIN = Redirect("/admin/login/")
# An allowed POST with empty data: the form again with its errors, a redirect (a button), or a bad request.
WRITE = frozenset({200, 302, 400})

Expectation = int | frozenset | Redirect
SIGNED_IN = ("viewer", "procurement", "compliance", "superuser")
ANY_ROLE = (VIEWER, PROCUREMENT, COMPLIANCE)
HANDLERS = ("get", "post", "put", "patch", "delete")


def allow(roles: tuple[str, ...], ok: Expectation) -> dict[str, Expectation]:
    """Anonymous users are sent to sign in; `roles` and superusers get `ok`; every other role 403."""
    return {"anonymous": LOGIN} | {role: ok if role in (*roles, "superuser") else 403 for role in SIGNED_IN}


def page(*roles: str) -> dict:
    """A page that only shows (or downloads) something: GET."""
    return {"get": allow(roles, 200)}


def form(*roles: str) -> dict:
    """A form page: GET shows it; POST (and PUT, which Django's form views treat as POST) submit it."""
    return {"get": allow(roles, 200), "post": allow(roles, WRITE), "put": allow(roles, WRITE)}


def post_only(*roles: str, ok: Expectation = WRITE) -> dict:
    """A button: the view accepts POST only."""
    return {"post": allow(roles, ok)}


def everyone(**methods: Expectation) -> dict:
    """A public page: every role, anonymous users included, gets the same answer."""
    return {method: dict.fromkeys(ROLE_NAMES, expected) for method, expected in methods.items()}


def admin_site(*, anonymous: Redirect = ADMIN_LOGIN, **superuser: Expectation) -> dict:
    """The admin is for superusers only (core/admin.py): signed-in roles are sent to the admin's own login
    page, and so are anonymous users on the site-wide pages (AdminSite gives LoginRequiredMiddleware its
    login_url)."""
    return {
        method: dict.fromkeys(SIGNED_IN, ADMIN_LOGIN) | {"anonymous": anonymous, "superuser": expected}
        for method, expected in superuser.items()
    }


def admin_model(**superuser: Expectation) -> dict:
    """A ModelAdmin page: as admin_site(), but Django sets no login_url on them, so anonymous users are sent
    to the project's sign-in page by LoginRequiredMiddleware."""
    return admin_site(anonymous=LOGIN, **superuser)


READ = page(*ANY_ROLE)
AUDITORS = page(VIEWER, COMPLIANCE)
PROCUREMENT_ONLY = form(PROCUREMENT)
COMPLIANCE_ONLY = form(COMPLIANCE)
EDITORS = form(PROCUREMENT, COMPLIANCE)
ANY_ROLE_FORM = form(*ANY_ROLE)
PROCUREMENT_BUTTON = post_only(PROCUREMENT)
COMPLIANCE_BUTTON = post_only(COMPLIANCE)
# A background export is seen by the user who asked for it (procurement here) and by superusers; 404 for
# everyone else.
OWN_EXPORT = {
    "get": {"anonymous": LOGIN, "viewer": 404, "procurement": 200, "compliance": 404, "superuser": 200}
}

OUR_APPS = "(core|vendors|contracts|assessments|transfers)"
MODEL = "[a-z0-9]+"  # a model_name has no underscore: `admin:<app>_<model>_<view>` splits unambiguously

# URL name (an unnamed pattern: its route) -> method -> role -> expected answer. A compiled regex stands for
# every URL name it matches in full (the admin's per-model pages); a name may match one regex at most.
EXPECTED: dict[str | re.Pattern, dict[str, dict[str, Expectation]]] = {
    # --- public pages and the workspace
    "login": {
        "get": {"anonymous": 200} | dict.fromkeys(SIGNED_IN, Redirect("/")),
        "post": {"anonymous": 200} | dict.fromkeys(SIGNED_IN, Redirect("/")),
        "put": {"anonymous": 200} | dict.fromkeys(SIGNED_IN, Redirect("/")),
    },
    "logout": everyone(post=Redirect("/accounts/login/")),
    # Without a `next`, Django's set_language sends everyone back to the home page.
    "set_language": everyone(get=Redirect("/"), post=Redirect("/")),
    "home": READ,
    "audit": AUDITORS,
    "audit_export": AUDITORS,
    "notifications": READ,
    "export_status": OWN_EXPORT,
    "export_download": OWN_EXPORT,
    "profile": ANY_ROLE_FORM,
    # --- vendors
    "vendors:list": READ,
    "vendors:export": READ,
    "vendors:create": PROCUREMENT_ONLY,
    "vendors:import": PROCUREMENT_ONLY,
    "vendors:import_template": page(PROCUREMENT),
    "vendors:detail": READ,
    "vendors:edit": PROCUREMENT_ONLY,
    "vendors:status": EDITORS,
    "vendors:delete": PROCUREMENT_ONLY,
    "vendors:history": READ,
    "vendors:contact_create": PROCUREMENT_ONLY,
    "vendors:contact_edit": PROCUREMENT_ONLY,
    "vendors:contact_delete": PROCUREMENT_ONLY,
    "vendors:contact_history": READ,
    "vendors:datacategory_list": READ,
    "vendors:datacategory_export": READ,
    "vendors:datacategory_create": COMPLIANCE_ONLY,
    "vendors:datacategory_detail": READ,
    "vendors:datacategory_edit": COMPLIANCE_ONLY,
    "vendors:datacategory_history": READ,
    "vendors:purpose_list": READ,
    "vendors:purpose_export": READ,
    "vendors:purpose_create": COMPLIANCE_ONLY,
    "vendors:purpose_detail": READ,
    "vendors:purpose_edit": COMPLIANCE_ONLY,
    "vendors:purpose_history": READ,
    # --- contracts
    "contracts:list": READ,
    "contracts:export": READ,
    "contracts:create": EDITORS,
    "contracts:detail": READ,
    "contracts:edit": EDITORS,
    "contracts:activate": EDITORS,
    "contracts:terminate": EDITORS,
    "contracts:renew": EDITORS,
    "contracts:document": READ,
    "contracts:history": READ,
    "contracts:consent_create": EDITORS,
    "contracts:consent_detail": READ,
    "contracts:consent_edit": EDITORS,
    "contracts:consent_document": READ,
    "contracts:consent_history": READ,
    "contracts:clause_list": READ,
    "contracts:clause_export": READ,
    "contracts:clause_create": COMPLIANCE_ONLY,
    "contracts:clause_detail": READ,
    "contracts:clause_edit": COMPLIANCE_ONLY,
    "contracts:clause_history": READ,
    # --- assessments
    "assessments:list": READ,
    "assessments:export": READ,
    "assessments:review_queue": READ,
    "assessments:review_export": READ,
    "assessments:finding_list": READ,
    "assessments:finding_export": READ,
    # The role is checked first; then an empty POST names no vendor, which is 404.
    "assessments:create": post_only(PROCUREMENT, ok=404),
    "assessments:detail": READ,
    "assessments:answers": PROCUREMENT_ONLY,
    "assessments:submit": PROCUREMENT_BUTTON,
    "assessments:decide": COMPLIANCE_BUTTON,
    "assessments:questionnaire_download": READ,
    "assessments:questionnaire_upload": PROCUREMENT_ONLY,
    "assessments:history": READ,
    "assessments:finding_create": EDITORS,
    "assessments:evidence": READ,
    "assessments:answer_history": READ,
    "assessments:finding_edit": EDITORS,
    "assessments:finding_history": READ,
    "assessments:standard_list": READ,
    "assessments:standard_export": READ,
    "assessments:standard_detail": READ,
    "assessments:standard_edit": COMPLIANCE_ONLY,
    "assessments:standard_copy": COMPLIANCE_BUTTON,
    "assessments:standard_publish": COMPLIANCE_BUTTON,
    "assessments:standard_history": READ,
    "assessments:criterion_create": COMPLIANCE_ONLY,
    "assessments:criterion_edit": COMPLIANCE_ONLY,
    "assessments:criterion_history": READ,
    # --- transfers
    "transfers:list": READ,
    "transfers:export": READ,
    "transfers:create": COMPLIANCE_ONLY,
    "transfers:detail": READ,
    "transfers:edit": COMPLIANCE_ONLY,
    "transfers:activate": COMPLIANCE_BUTTON,
    "transfers:status": COMPLIANCE_ONLY,
    "transfers:check_create": COMPLIANCE_ONLY,
    "transfers:consent_create": COMPLIANCE_ONLY,
    "transfers:disclosure": READ,
    "transfers:basis_document": READ,
    "transfers:history": READ,
    "transfers:check_history": READ,
    "transfers:consent_evidence": READ,
    "transfers:consent_history": READ,
    "transfers:joint_use_list": READ,
    "transfers:joint_use_export": READ,
    "transfers:joint_use_create": COMPLIANCE_ONLY,
    "transfers:joint_use_detail": READ,
    "transfers:joint_use_edit": COMPLIANCE_ONLY,
    "transfers:joint_use_publish": COMPLIANCE_BUTTON,
    "transfers:joint_use_revise": COMPLIANCE_ONLY,
    "transfers:joint_use_history": READ,
    "transfers:record_list": READ,
    "transfers:record_export": READ,
    "transfers:record_create": EDITORS,
    "transfers:record_detail": READ,
    "transfers:record_delete": COMPLIANCE_BUTTON,
    "transfers:record_history": READ,
    "transfers:country_list": READ,
    "transfers:country_export": READ,
    "transfers:country_create": COMPLIANCE_ONLY,
    "transfers:country_detail": READ,
    "transfers:country_edit": COMPLIANCE_ONLY,
    "transfers:country_history": READ,
    # --- the Django admin: superusers only (core/admin.py), and our models are read-only there
    "admin:index": admin_site(get=200, post=200),
    # The login page tells a signed-in non-superuser they are not authorized; a superuser goes to the index.
    "admin:login": {
        "get": dict.fromkeys(ROLE_NAMES, 200) | {"superuser": Redirect("/admin/")},
        "post": dict.fromkeys(ROLE_NAMES, 200),
    },
    # Django's LogoutView answers POST only; a signed-in non-superuser is sent to the admin index.
    "admin:logout": {
        "get": {"anonymous": ADMIN_LOGIN}
        | dict.fromkeys(SIGNED_IN, Redirect("/admin/"))
        | {"superuser": 405},
        "post": {"anonymous": ADMIN_LOGIN}
        | dict.fromkeys(SIGNED_IN, Redirect("/admin/"))
        | {"superuser": Redirect("/accounts/login/")},
    },
    "admin:password_change": admin_site(get=200, post=200),
    "admin:password_change_done": admin_site(get=200, post=405),
    # Without app_label, model_name and field_name the autocomplete refuses; it has no POST handler.
    "admin:autocomplete": admin_site(get=403, post=405),
    "admin:jsi18n": admin_site(get=200, post=405),
    "admin:view_on_site": admin_site(get=302, post=302),
    "admin:app_list": admin_site(get=200, post=200),
    "admin:auth_user_password_change": admin_model(get=200, post=200),
    re.compile(r"admin:auth_(user|group)_(changelist|add|change|delete|history)"): admin_model(
        get=200, post=200
    ),
    re.compile(rf"admin:{OUR_APPS}_{MODEL}_(changelist|history)"): admin_model(get=200, post=200),
    re.compile(rf"admin:{OUR_APPS}_{MODEL}_(add|delete)"): admin_model(get=403, post=403),
    re.compile(rf"admin:{OUR_APPS}_{MODEL}_change"): admin_model(get=200, post=403),
    # django-simple-history's page of one version: reading it is fine, a POST must not revert the record to
    # it (a state change past the services). It does today: see KNOWN_BUGS.
    re.compile(rf"admin:{OUR_APPS}_{MODEL}_simple_history"): admin_model(get=200, post=403),
    # Unnamed: `<object_id>/` redirects to the change page, whatever the method (a RedirectView).
    re.compile(rf"admin/\w+/{MODEL}/<path:object_id>/"): admin_model(
        get=302, post=302, put=302, patch=302, delete=302
    ),
    # django-axes' sign-in records: superusers read them and delete them (to lift a lock-out); none is added.
    re.compile(rf"admin:axes_{MODEL}_(changelist|history|delete)"): admin_model(get=200, post=200),
    # Every field is read-only, so an empty POST "saves" nothing and goes back to the list.
    re.compile(rf"admin:axes_{MODEL}_change"): admin_model(get=200, post=302),
    re.compile(rf"admin:axes_{MODEL}_add"): admin_model(get=403, post=403),
    # Unnamed: the admin's catch-all answers 404 for an unknown page, once the visitor may see the admin.
    "admin/(?P<url>.*)$": admin_site(get=404, post=404),
}

# URL name -> the object (a key of world.objects) whose pk fills the URL's `pk`.
TARGETS = {
    "export_status": "export",
    "export_download": "export",
    "vendors:detail": "vendor",
    "vendors:edit": "vendor",
    "vendors:status": "vendor",
    "vendors:delete": "vendor",
    "vendors:history": "vendor",
    "vendors:contact_create": "vendor",
    "vendors:contact_edit": "contact",
    "vendors:contact_delete": "contact",
    "vendors:contact_history": "contact",
    "vendors:datacategory_detail": "datacategory",
    "vendors:datacategory_edit": "datacategory",
    "vendors:datacategory_history": "datacategory",
    "vendors:purpose_detail": "purpose",
    "vendors:purpose_edit": "purpose",
    "vendors:purpose_history": "purpose",
    "contracts:detail": "contract",
    "contracts:edit": "contract",
    "contracts:activate": "contract",
    "contracts:terminate": "contract",
    "contracts:renew": "contract",
    "contracts:document": "contract",
    "contracts:history": "contract",
    "contracts:consent_detail": "consent",
    "contracts:consent_edit": "consent",
    "contracts:consent_document": "consent",
    "contracts:consent_history": "consent",
    "contracts:clause_detail": "clause",
    "contracts:clause_edit": "clause",
    "contracts:clause_history": "clause",
    "assessments:detail": "draft",
    "assessments:answers": "draft",
    "assessments:submit": "draft",
    "assessments:decide": "submitted",
    "assessments:questionnaire_download": "draft",
    "assessments:questionnaire_upload": "draft",
    "assessments:history": "draft",
    "assessments:finding_create": "submitted",
    "assessments:evidence": "evidence_answer",
    "assessments:answer_history": "evidence_answer",
    "assessments:finding_edit": "finding",
    "assessments:finding_history": "finding",
    "assessments:standard_detail": "published_standard",
    "assessments:standard_edit": "draft_standard",
    "assessments:standard_copy": "published_standard",
    "assessments:standard_publish": "draft_standard",
    "assessments:standard_history": "published_standard",
    "assessments:criterion_create": "draft_standard",
    "assessments:criterion_edit": "draft_criterion",
    "assessments:criterion_history": "draft_criterion",
    "transfers:detail": "transfer",
    "transfers:edit": "transfer",
    "transfers:activate": "transfer",
    "transfers:status": "transfer",
    "transfers:check_create": "transfer",
    "transfers:consent_create": "consent_transfer",
    "transfers:disclosure": "transfer",
    "transfers:basis_document": "transfer",
    "transfers:history": "transfer",
    "transfers:check_history": "check",
    "transfers:consent_evidence": "transfer_consent",
    "transfers:consent_history": "transfer_consent",
    "transfers:joint_use_detail": "joint_use",
    "transfers:joint_use_edit": "joint_use",
    "transfers:joint_use_publish": "joint_use",
    "transfers:joint_use_revise": "published_joint_use",
    "transfers:joint_use_history": "joint_use",
    "transfers:record_detail": "record",
    "transfers:record_delete": "expired_record",
    "transfers:record_history": "record",
    "transfers:country_detail": "country",
    "transfers:country_edit": "country",
    "transfers:country_history": "country",
}

# Known holes: (EXPECTED key, as text; method; role) -> why. Each case here must still fail (strict xfail):
# once the hole is closed, remove its line.
KNOWN_BUGS: dict[tuple[str, str, str], str] = {}


# --- the walk -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name"; an unnamed pattern is known by its route
    route: str  # the whole route, as ResolverMatch.route gives it
    callback: object

    def __str__(self) -> str:
        return self.key


def _join(namespace: str | None, inner: str | None) -> str | None:
    return f"{namespace}:{inner}" if namespace and inner else inner or namespace


def walk(patterns=None, prefix: str = "", namespace: str | None = None):
    """Every URL pattern of the project, the included ones (and the admin's) too."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        # Django joins the routes of nested patterns without the inner regexes' leading "^".
        route = prefix + (str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route, _join(namespace, pattern.namespace))
        elif isinstance(pattern, URLPattern):
            key = _join(namespace, pattern.name) if pattern.name else route
            yield Route(key=key, route=route, callback=pattern.callback)


def declared_methods(func) -> set[str] | None:
    """The methods a require_http_methods() decorator (require_POST, require_GET, ...) lets through: Django
    keeps them only in the closure of its wrapper, so follow the __wrapped__ chain down to it."""
    while func is not None:
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            return {method.lower() for method in cell.cell_contents}
        func = getattr(func, "__wrapped__", None)
    return None


def accepted_methods(callback) -> tuple[str, ...]:
    """A class-based view: its http_method_names that it has a handler for. A function view: what its
    decorator allows, else GET and POST."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return tuple(m for m in HANDLERS if m in view_class.http_method_names and hasattr(view_class, m))
    return tuple(m for m in HANDLERS if m in (declared_methods(callback) or {"get", "post"}))


def entry_for(key: str) -> dict | None:
    if key in EXPECTED:
        return EXPECTED[key]
    matching = [
        entry for rule, entry in EXPECTED.items() if isinstance(rule, re.Pattern) and rule.fullmatch(key)
    ]
    return matching[0] if len(matching) == 1 else None


def rule_for(key: str) -> str:
    """The table key that holds `key`'s entry, as text (for KNOWN_BUGS and messages)."""
    if key in EXPECTED:
        return key
    return next(rule.pattern for rule in EXPECTED if isinstance(rule, re.Pattern) and rule.fullmatch(key))


ROUTES = list(walk())


def cases():
    for route in ROUTES:
        for method in accepted_methods(route.callback):
            for role in ROLE_NAMES:
                marks = ()
                if entry_for(route.key) is not None:
                    reason = KNOWN_BUGS.get((rule_for(route.key), method, role))
                    marks = (pytest.mark.xfail(reason=reason, strict=True),) if reason else ()
                yield pytest.param(
                    route, method, role, id=f"{route.key} {method.upper()} {role}", marks=marks
                )


CASES = list(cases())


# --- one object of every kind -------------------------------------------------------------------------------


def _history_alert(model):
    verification = model._meta.get_field("verification").related_model
    now = timezone.now()
    run = verification.objects.first() or verification.objects.create(started_at=now, finished_at=now)
    return model.objects.create(key="permission-matrix", verification=run, finding={})


# Registered admin models that no factory makes (verification records, django-axes' sign-in records):
# label -> maker, called only when the model is registered and has no row yet.
_ACCESS = {
    "user_agent": "pytest",
    "ip_address": "192.0.2.1",
    "username": "someone-else",
    "http_accept": "*/*",
    "path_info": "/accounts/login/",
}
ADMIN_MAKERS = {
    "core.HistoryVerification": lambda model: model.objects.create(
        started_at=timezone.now(), finished_at=timezone.now()
    ),
    "core.HistoryAlert": _history_alert,
    "axes.AccessAttempt": lambda model: model.objects.create(
        **_ACCESS, get_data="", post_data="", failures_since_start=1
    ),
    "axes.AccessLog": lambda model: model.objects.create(**_ACCESS),
    "axes.AccessFailureLog": lambda model: model.objects.create(**_ACCESS),
}


@dataclass
class World:
    users: dict[str, object]
    objects: dict[str, Model]
    admin_objects: dict[type, Model]  # registered admin model -> the object its admin pages open
    versions: dict[type, int]  # model -> a history_id of that object (django-simple-history)
    sessions: dict[str, str]  # role -> session key, signed in once for the module


def build_world() -> World:
    users = {
        "anonymous": None,
        "viewer": UserFactory(username="matrix-viewer", roles=[VIEWER]),
        "procurement": UserFactory(username="matrix-procurement", roles=[PROCUREMENT]),
        "compliance": UserFactory(username="matrix-compliance", roles=[COMPLIANCE]),
        "superuser": UserFactory(username="matrix-admin", is_superuser=True, is_staff=True),
    }
    preparer = users["procurement"]
    today = timezone.localdate()
    vendor = VendorFactory(name="Matrix K.K.")
    contract = active_contract_for(vendor, reference="PC-MATRIX", title="Matrix contract")
    draft = answered_assessment(vendor, preparer=preparer)
    submitted = answered_assessment(VendorFactory(name="Submitted Matrix K.K."), preparer=preparer)
    assessment_submit(assessment=submitted, user=preparer)
    draft_standard = StandardFactory(name="Matrix draft standard")
    transfer = SystemTransferFactory(vendor=ForeignVendorFactory(name="Matrix Inc."))
    consent_transfer = ConsentTransferFactory()
    joint_user = JointUserFactory(name="Matrix Sister K.K.")
    expired_record = ProvisionRecordFactory(recipient_name="Expired Inc.", transfer=transfer)
    ProvisionRecord.objects.filter(pk=expired_record.pk).update(retain_until=today - timedelta(days=1))
    export = RegisterExport.objects.create(
        user=preparer,
        register_name="vendors",
        path="/vendors/export.xlsx",
        language="en",
        status=RegisterExport.Status.DONE,
        filename="vendors.xlsx",
    )
    export.file.save("vendors.xlsx", ContentFile(b"not really a workbook"))
    objects = {
        "vendor": vendor,
        "contact": ContactFactory(vendor=vendor, name="Matrix Contact"),
        "datacategory": DataCategoryFactory(name_en="Matrix Category"),
        "purpose": PurposeFactory(name_en="Matrix Purpose"),
        "contract": contract,
        "consent": ReentrustmentConsentFactory(
            subcontractor=SubcontractorFactory(name="Matrix Sub K.K.", parent=vendor),
            document=pdf_file("consent.pdf"),
        ),
        "clause": Clause.objects.get(code="liability"),
        "draft": draft,
        "submitted": submitted,
        "evidence_answer": draft.answers.get(criterion__code="BAS-01"),
        "finding": Finding.objects.create(
            assessment=submitted, description="Laptops are not encrypted.", owner=preparer
        ),
        "published_standard": Standard.objects.get(status=Standard.Status.PUBLISHED),
        "draft_standard": draft_standard,
        "draft_criterion": CriterionFactory(standard=draft_standard, code="MTX-01"),
        "transfer": transfer,
        "check": PeriodicCheckFactory(transfer=transfer),
        "consent_transfer": consent_transfer,
        "transfer_consent": ConsentRecordFactory(transfer=consent_transfer),
        "joint_use": JointUseArrangementFactory(
            title="Matrix draft", notice_published_on=today, effective_on=today, joint_users=[joint_user]
        ),
        "published_joint_use": JointUseArrangementFactory(
            title="Matrix published", status=JointUseArrangement.Status.PUBLISHED, joint_users=[joint_user]
        ),
        "record": ProvisionRecordFactory(recipient_name="Kept Inc.", transfer=transfer),
        "expired_record": expired_record,
        "country": seeded_country("US"),
        "export": export,
        "reminder": ReminderLog.objects.create(
            kind="contract_decision",
            subject_type=ContentType.objects.get_for_model(contract),
            subject_id=contract.pk,
            deadline=today + timedelta(days=30),
            threshold=30,
            recipient=users["viewer"],
        ),
    }
    admin_objects, versions = {}, {}
    known = [*objects.values(), *(user for user in users.values() if user)]
    for model in admin.site._registry:
        obj = (
            next((o for o in known if type(o) is model), None)
            or model._default_manager.order_by("pk").first()
        )
        if obj is None and model._meta.label in ADMIN_MAKERS:
            obj = ADMIN_MAKERS[model._meta.label](model)
        if obj is None:
            continue  # url_of() fails the cases that need one
        admin_objects[model] = obj
        if hasattr(model, "history"):
            if not obj.history.exists():
                record_history(obj, user=users["superuser"], reason="Permission matrix", created=True)
            versions[model] = obj.history.order_by("-history_id").values_list("history_id", flat=True)[0]
    sessions = {}
    for role, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return World(users, objects, admin_objects, versions, sessions)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module and rolled back after it; each test runs in its own savepoint inside."""
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


def model_admin_of(callback) -> admin.ModelAdmin | None:
    """The ModelAdmin behind an admin URL: Django's wrapper names it; django-simple-history's page is a
    method of it, reached through the admin_view() wrapper."""
    while callback is not None:
        owner = getattr(callback, "model_admin", None) or getattr(callback, "__self__", None)
        if isinstance(owner, admin.ModelAdmin):
            return owner
        callback = getattr(callback, "__wrapped__", None)
    return None


PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\([^)]*\)")


def url_of(route: Route, world: World) -> str:
    """The route with its parameters filled: `pk` from TARGETS; the admin's from the registered models."""
    model_admin = model_admin_of(route.callback)
    if model_admin and model_admin.model not in world.admin_objects:
        pytest.fail(
            f"build_world() makes no {model_admin.model._meta.label}: add one (or a maker in ADMIN_MAKERS)"
        )
    target = world.admin_objects[model_admin.model] if model_admin else world.objects["vendor"]
    positional = [target.pk, world.versions.get(type(target))]  # simple-history: (object_id, version_id)
    values = {
        "object_id": target.pk,
        "id": target.pk,
        "content_type_id": ContentType.objects.get_for_model(target).pk,
        "app_label": "vendors",
        "url": "no-such-page/",
    }

    def fill(match: re.Match) -> str:
        name = match[1] or match[2]
        if name is None:
            return str(positional.pop(0))
        if name == "pk":
            assert route.key in TARGETS, f"{route.key}: say in TARGETS which object fills its pk"
            return str(world.objects[TARGETS[route.key]].pk)
        return str(values[name])

    return "/" + PARAMETER.sub(fill, route.route).replace("^", "").replace("$", "")


# --- the matrix ---------------------------------------------------------------------------------------------


def assert_answer(response, expected: Expectation, label: str) -> None:
    location = response.get("Location", "")
    if isinstance(expected, Redirect):
        assert response.status_code == 302, f"{label}: {response.status_code}, expected a redirect"
        assert location == expected.url or location.startswith(expected.url + "?"), f"{label}: to {location}"
        return
    allowed = expected if isinstance(expected, frozenset) else {expected}
    assert response.status_code in allowed, f"{label}: {response.status_code}, expected {expected}"
    if response.status_code == 302:
        # An allowed request that redirects must not be a disguised "sign in first".
        assert not location.startswith((LOGIN.url, ADMIN_LOGIN.url)), f"{label}: to {location}"


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method", "role"), CASES)
def test_each_role_gets_the_declared_answer_to_each_method_of_each_url(world, route, method, role):
    entry = entry_for(route.key)
    assert entry is not None, f"{route.key} ({route.route}) has no entry in EXPECTED"
    assert method in entry, f"{route.key} accepts {method.upper()}, which its entry does not declare"
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    url = url_of(route, world)
    response = getattr(client, method)(url)  # empty data: a refused POST has nothing to write anyway
    assert_answer(response, entry[method][role], f"{role} {method.upper()} {url} ({route.key})")


# --- the table and the walk agree ---------------------------------------------------------------------------


def test_every_url_the_walk_finds_has_an_entry_in_the_table():
    missing = sorted(f"{route.key} ({route.route})" for route in ROUTES if entry_for(route.key) is None)
    assert missing == [], "URLs without an entry in EXPECTED (or matched by more than one pattern)"


def test_every_entry_of_the_table_names_a_url_that_still_exists():
    keys = {route.key for route in ROUTES}
    stale = [rule for rule in EXPECTED if isinstance(rule, str) and rule not in keys]
    stale += [
        rule.pattern
        for rule in EXPECTED
        if isinstance(rule, re.Pattern) and not any(rule.fullmatch(key) for key in keys)
    ]
    assert stale == [], "EXPECTED entries for URLs that no longer exist"


def test_no_url_name_matches_two_patterns_of_the_table():
    rules = [rule for rule in EXPECTED if isinstance(rule, re.Pattern)]
    ambiguous = {
        route.key: [rule.pattern for rule in rules if rule.fullmatch(route.key)]
        for route in ROUTES
        if route.key not in EXPECTED and sum(1 for rule in rules if rule.fullmatch(route.key)) > 1
    }
    assert ambiguous == {}


def test_each_entry_declares_exactly_the_methods_its_url_accepts_for_all_five_roles():
    wrong = {}
    for route in ROUTES:
        entry = entry_for(route.key) or {}
        accepted = accepted_methods(route.callback)
        if sorted(entry) != sorted(accepted) or any(
            set(roles) != set(ROLE_NAMES) for roles in entry.values()
        ):
            wrong[route.key] = {"declared": {m: sorted(r) for m, r in entry.items()}, "accepted": accepted}
    assert wrong == {}


def test_every_url_with_a_pk_has_its_object_and_every_target_is_still_used():
    with_pk = {route.key for route in ROUTES if "<int:pk>" in route.route}
    assert with_pk == set(TARGETS)


def test_known_bugs_name_cases_of_the_matrix():
    declared = {
        (rule_for(r.key), method, role) for r, method, role in (c.values for c in CASES) if entry_for(r.key)
    }
    assert set(KNOWN_BUGS) - declared == set()


def test_the_walk_sees_every_app_the_admin_and_the_sign_in_pages():
    keys = {route.key for route in ROUTES}
    assert {"login", "logout", "set_language", "home", "admin:index", "admin:login"} <= keys
    namespaces = {key.split(":")[0] for key in keys if ":" in key}
    assert {"vendors", "contracts", "assessments", "transfers", "admin"} <= namespaces
    assert any(key.startswith("admin:vendors_vendor_") for key in keys)


@pytest.mark.django_db
def test_every_filled_url_resolves_back_to_its_own_pattern(world):
    wrong = {}
    for route in ROUTES:
        url = url_of(route, world)
        match = resolve(url)
        if match.route != route.route or match.func is not route.callback:
            wrong[route.key] = (url, match.route)
    assert wrong == {}


def test_the_method_finder_reads_class_views_and_method_decorators():
    class OnlyPost(View):
        http_method_names = ["post", "options"]

        def post(self, request): ...

    class GetAndPut(View):
        def get(self, request): ...

        def put(self, request): ...

    def plain(request): ...

    assert accepted_methods(OnlyPost.as_view()) == ("post",)
    assert accepted_methods(GetAndPut.as_view()) == ("get", "put")
    assert accepted_methods(plain) == ("get", "post")
    assert accepted_methods(require_POST(plain)) == ("post",)
    assert accepted_methods(require_http_methods(["GET", "DELETE"])(plain)) == ("get", "delete")
