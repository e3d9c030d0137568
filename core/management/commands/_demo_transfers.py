"""Demo transfers on every route, a joint-use arrangement in two versions, and records of provision."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from core.history import save_with_history
from transfers.models import ConsentRecord, Country, ForeignTransfer, JointUseArrangement, ProvisionRecord
from transfers.services import (
    consent_record_save,
    joint_use_publish,
    joint_use_revise,
    joint_use_save,
    periodic_check_record,
    provision_record_save,
    transfer_activate,
    transfer_save,
)
from vendors.models import DataCategory, Vendor

Route = ForeignTransfer.Route
Rel = ForeignTransfer.Relationship


def create_transfer_demo(users, pdf: bytes) -> None:
    compliance = users["compliance"]
    today = timezone.localdate()
    vendors = {v.name: v for v in Vendor.objects.all()}
    customers = list(DataCategory.objects.filter(code="customers_partners"))

    def transfer(name, country, route, relationship=Rel.ENTRUSTMENT, **fields):
        vendor = vendors[name]
        document = fields.pop("basis_document", None)
        item = ForeignTransfer(
            vendor=vendor,
            country=Country.objects.get(code=country) if country else None,
            route=route,
            relationship=relationship,
            **fields,
        )
        if document:
            item.basis_document.save(f"basis-{vendor.pk}.pdf", ContentFile(pdf), save=False)
        return transfer_save(
            transfer=item,
            user=compliance,
            data_categories=customers,
            purposes=list(vendor.purposes.all()),
            reason="Transfer recorded (demo data).",
        )

    europe = transfer(
        "Nippon Holdings Europe GmbH",
        "DE",
        Route.EQUIVALENT_COUNTRY,
        Rel.JOINT_USE,
        ordinary_basis=ForeignTransfer.OrdinaryBasis.JOINT_USE,
        description="Customer master data shared with the European subsidiary.",
    )
    transfer_activate(transfer=europe, user=compliance)
    for name, code in (("Orbit Mail Delivery Ltd.", "GB"), ("Lumen Translation SAS", "FR")):
        transfer_activate(
            transfer=transfer(
                name, code, Route.EQUIVALENT_COUNTRY, description="Entrusted processing in the EEA/UK."
            ),
            user=compliance,
        )

    atlas = transfer(
        "Atlas CRM Inc.",
        "US",
        Route.STANDARD_CONFORMING_SYSTEM,
        basis_document=True,
        basis=ForeignTransfer.Basis.CONTRACT,
        started_on=today - timedelta(days=300),
        description="CRM hosted in the United States under a data-processing agreement.",
    )
    periodic_check_record(
        transfer=atlas,
        user=compliance,
        checked_on=today - timedelta(days=300),
        implementation_status="Annual report and SOC 2 report reviewed; measures implemented.",
        foreign_laws="US CLOUD Act reviewed; no impact beyond the contract's notice clause.",
        result="ok",
    )
    transfer_activate(transfer=atlas, user=compliance)

    atlas_ph = transfer(
        "Atlas CRM Inc.",
        "PH",
        Route.STANDARD_CONFORMING_SYSTEM,
        basis_document=True,
        basis=ForeignTransfer.Basis.CONTRACT,
        description="Support desk in Manila (Atlas affiliate).",
    )
    periodic_check_record(
        transfer=atlas_ph,
        user=compliance,
        checked_on=today - timedelta(days=60),
        implementation_status="Access logs reviewed.",
        result="ok",
    )
    transfer_activate(transfer=atlas_ph, user=compliance)
    periodic_check_record(
        transfer=atlas_ph,
        user=compliance,
        checked_on=today - timedelta(days=5),
        implementation_status="Shared accounts found; the affiliate refuses to remove them.",
        impediments="Shared administrator accounts; no correction within the agreed time.",
        result="difficult",
    )

    transfer(
        "Pixel Support Pvt. Ltd.",
        "IN",
        Route.STANDARD_CONFORMING_SYSTEM,
        description="Planned support desk; the agreement is still being negotiated.",
    )

    us = Country.objects.get(code="US")
    if us.information_reviewed_on is None:
        us.information_reviewed_on = today - timedelta(days=40)
        us.oecd_gaps = (
            "No comprehensive federal privacy law: purpose specification and use limitation are not "
            "duties of general application."
        )
        us.other_laws = "Government access under FISA s.702 and the CLOUD Act; state laws (e.g. CCPA)."
        save_with_history(us, user=compliance, reason="Protection-system information reviewed (demo data).")
    america = transfer(
        "Nippon Holdings America Inc.",
        "US",
        Route.CONSENT,
        Rel.JOINT_USE,
        description="Customer data provided to the US subsidiary with the customers' consent.",
    )
    consent = ConsentRecord(
        transfer=america,
        information_given_on=today - timedelta(days=10),
        obtained_on=today - timedelta(days=12),
        country_name_given="United States",
        recipient_measures="The recipient takes measures for all OECD principles.",
        how_given="Consent screen of the member site",
        whose_consent="Members registering via the site form v3",
        method="Check box on the registration form",
    )
    consent.evidence.save(f"consent-{america.pk}.pdf", ContentFile(pdf), save=False)
    consent_record_save(consent=consent, user=compliance, reason="Consent recorded (demo data).")

    harbor = transfer(
        "Harbor Payroll Pte. Ltd.",
        "SG",
        Route.LEGAL_EXCEPTION,
        Rel.THIRD_PARTY_PROVISION,
        legal_ground=ForeignTransfer.LegalGround.LAWS,
        legal_justification="Withholding-tax reporting for seconded staff required by Singapore law.",
    )
    transfer_activate(transfer=harbor, user=compliance)

    joint_users = [
        vendors[n]
        for n in (
            "Nippon Holdings Shared Services K.K.",
            "Nippon Holdings Finance K.K.",
            "Nippon Holdings Europe GmbH",
            "Nippon Holdings America Inc.",
        )
    ]
    arrangement = JointUseArrangement(
        title="Nippon Holdings group joint use",
        data_items="Name, address, telephone number, email address, contract and transaction history",
        scope_description="Nippon Holdings K.K. and its consolidated "
        "subsidiaries listed in the annual securities report",
        purposes="Group-wide customer service and marketing of group services",
        responsible_party_name="Nippon Holdings Shared Services K.K.",
        responsible_party_address="東京都千代田区丸の内1-1-1",
        responsible_party_representative="代表取締役 山田 太郎",
        notice_method="Privacy policy page of the group website",
        notice_published_on=today - timedelta(days=400),
        effective_on=today - timedelta(days=380),
    )
    joint_use_save(
        arrangement=arrangement,
        user=compliance,
        joint_users=joint_users,
        reason="Particulars drafted (demo data).",
    )
    joint_use_publish(arrangement=arrangement, user=compliance)
    joint_use_revise(
        arrangement=arrangement,
        user=compliance,
        changes={"purposes": "Group-wide customer service, marketing of group services and fraud detection"},
        notice_published_on=today - timedelta(days=60),
        effective_on=today - timedelta(days=30),
    )

    for values in (
        dict(
            kind=ProvisionRecord.Kind.BATCH,
            provided_on=today - timedelta(days=200),
            last_provided_on=today,
            transfer=america,
            consent_obtained=True,
        ),
        dict(
            kind=ProvisionRecord.Kind.CONTRACT_AS_RECORD,
            provided_on=today - timedelta(days=900),
            last_provided_on=today - timedelta(days=500),
            transfer=harbor,
            consent_obtained=False,
        ),
        dict(
            kind=ProvisionRecord.Kind.SINGLE,
            provided_on=today - timedelta(days=3),
            transfer=harbor,
            consent_obtained=False,
        ),
    ):
        recipient = values["transfer"].vendor
        provision_record_save(
            record=ProvisionRecord(
                recipient_name=recipient.name,
                recipient_address=recipient.address or "(abroad)",
                recipient_representative=recipient.representative,
                individuals_description="Customers in the batch export of the month",
                data_items="Name, email address, purchase history",
                **values,
            ),
            user=compliance,
        )
