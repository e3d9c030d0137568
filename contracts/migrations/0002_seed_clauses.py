"""Seed the clauses a protection contract is expected to contain (APPI.md sections 1, 3 and 6).

APPI makes most contract content a SHOULD; the company's internal standard turns these into
requirements per contract kind (`required_for`). Compliance edits them in the product.
"""

from django.db import migrations
from django.utils import timezone

E, P, J = "entrustment", "protection_agreement", "joint_use"
CLAUSES = [
    ("purpose_limitation", "Purpose limitation: no use beyond the entrusted work",
     "利用目的の限定（委託業務以外の利用禁止）", [E, P],
     "The vendor uses the personal data only for the entrusted work and for no other purpose (APPI Art. 27(5)(i))."),
    ("confidentiality", "Confidentiality", "秘密保持", [E, P, J],
     "Personal data and related information are kept confidential, during and after the contract."),
    ("safety_measures", "Safety management measures to be taken", "講ずべき安全管理措置", [E, P, J],
     "The organizational, personnel, physical and technical measures the vendor takes (GL-G section 10)."),
    ("reentrustment_consent", "Re-entrustment only with prior written consent", "再委託は事前の書面による承諾を要する",
     [E, P], "The vendor may re-entrust only after the company's prior written consent naming the subcontractor, "
     "the work and how it handles the data."),
    ("subcontractor_supervision", "Supervision of subcontractors", "再委託先の監督", [E, P],
     "The vendor supervises its subcontractors as the company supervises it, and reports on them."),
    ("leak_notice", "Notice of a leak or suspected leak without delay", "漏えい等（おそれを含む）の遅滞なき報告",
     [E, P, J], "The vendor tells the company at once of a leak, loss or damage, or its possibility, so that the "
     "company can make its preliminary report to the PPC within 3–5 days (APPI Art. 26)."),
    ("audits_reports", "Audits, inspections and periodic reports", "監査・立入検査及び定期報告", [E, P],
     "The company may audit and inspect; the vendor reports periodically on how it handles the data."),
    ("return_deletion", "Return or deletion at the end, with a certificate", "契約終了時の返還・削除及び証明書の提出",
     [E, P, J], "At the end of the work the vendor returns or irrecoverably deletes the data and issues a "
     "deletion certificate."),
    ("no_copying", "No copying or reproduction beyond need", "必要な範囲を超える複製の禁止", [E, P],
     "The vendor copies or reproduces the data only as far as the work needs."),
    ("foreign_provision", "Foreign provision only with the company's approval", "外国での取扱い・提供は当社の承認を要する",
     [E, P], "Handling or providing the data in a foreign country requires the company's prior approval "
     "(APPI Art. 28)."),
    ("liability", "Liability and damages", "損害賠償責任", [E, P, J],
     "The vendor is liable for damage caused by a breach, including the costs of responding to a leak."),
    ("joint_use_particulars", "Joint-use particulars (items, users, purposes, responsible party)",
     "共同利用の事項（項目・範囲・目的・責任者）", [J],
     "The five particulars published before joint use: that data is jointly used, the items, the scope of joint "
     "users, their purposes, and the responsible party's name, address and representative (APPI Art. 27(5)(iii))."),
    ("joint_use_end", "How joint use ends", "共同利用の終了", [],
     "How a joint user leaves and what happens to the data it holds."),
]


def seed(apps, schema_editor):
    clause_model = apps.get_model("contracts", "Clause")
    historical = apps.get_model("contracts", "HistoricalClause")
    for code, title_en, title_ja, required_for, description in CLAUSES:
        clause, created = clause_model.objects.get_or_create(
            code=code,
            defaults={"title_en": title_en, "title_ja": title_ja, "required_for": required_for,
                      "description": description, "obligation": "should"},
        )
        if created:
            values = {f.attname: getattr(clause, f.attname) for f in clause._meta.concrete_fields}
            historical.objects.create(history_date=timezone.now(), history_type="+",
                                      history_change_reason="Seeded from the internal standard.", **values)


def unseed(apps, schema_editor):
    apps.get_model("contracts", "Clause").objects.filter(code__in=[c[0] for c in CLAUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
