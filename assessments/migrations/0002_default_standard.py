"""Seed the company's default internal standard (published, version 1).

Covers every item of GL-G section 10 (APPI.md section 2, categories 10-1 to 10-7) plus contract and
re-entrustment controls. The law prescribes no scoring: weights, critical items and pass marks are
the company's own choice, editable by compliance in a new draft version.
"""

from django.db import migrations
from django.utils import timezone

NAME = "Vendor due-diligence standard"
A, ABROAD, SPECIAL, SYSTEM = "always", "data_abroad", "special_care", "system_access"
# code, category, weight, critical, evidence, applies_when, obligation, English, Japanese, guidance
CRITERIA = [
    ("BAS-01", "basic_policy", 2, False, True, A, "should",
     "Has the vendor published a basic policy on personal information naming the company, compliance with laws, "
     "its security measures and a contact point for complaints?",
     "事業者の名称、関係法令等の遵守、安全管理措置、質問及び苦情処理の窓口を記載した基本方針を策定・公表していますか。",
     "Attach the policy or its URL."),
    ("HND-01", "handling_rules", 3, False, True, A, "must",
     "Are there written handling rules for each stage (acquisition, use, storage, provision, deletion and disposal) "
     "stating the method, the responsible person and staff, and their duties?",
     "取得・利用・保存・提供・削除・廃棄の各段階について、取扱方法、責任者・担当者及びその任務を定めた取扱規程がありますか。",
     "Attach the rules or their table of contents."),
    ("HND-02", "handling_rules", 3, False, False, A, "must",
     "Do the handling rules cover the work entrusted by the company specifically?",
     "当社から委託する業務における取扱いが取扱規程の対象に含まれていますか。", ""),
    ("ORG-01", "organizational", 4, False, True, A, "must",
     "Is a person responsible for personal data appointed, with staff roles and the data each may handle defined?",
     "個人データの取扱責任者を設置し、担当者の役割及び取り扱う個人データの範囲を明確にしていますか。",
     "Organisation chart or appointment record."),
    ("ORG-02", "organizational", 3, False, False, A, "must",
     "Is there a reporting line for violations of the rules and for leaks or suspected leaks?",
     "取扱規程違反や漏えい等の事案を把握した場合の報告連絡体制を整備していますか。", ""),
    ("ORG-03", "organizational", 3, False, True, SYSTEM, "must",
     "Are database use and output, and logins to systems handling the data, logged and the logs kept?",
     "個人情報データベース等の利用・出力状況及びシステムへのログイン実績を記録・保存していますか。",
     "Sample of a log extract or the logging settings."),
    ("ORG-04", "organizational", 3, False, False, A, "must",
     "Are media taken out of the premises and deletions or disposals of personal data recorded?",
     "個人データを記録した媒体の持出し及び削除・廃棄の状況を記録していますか。", ""),
    ("ORG-05", "organizational", 2, False, False, A, "must",
     "Can the vendor show which databases and data items it holds, for which purpose, which department is "
     "responsible and who has access?",
     "取り扱う個人情報データベース等の種類、項目、利用目的、責任部署、アクセス権者を把握していますか。", ""),
    ("ORG-06", "organizational", 5, True, True, A, "must",
     "Is there a procedure for leaks: investigation, notifying the company and individuals, reporting to the "
     "PPC, recurrence prevention and publication?",
     "漏えい等の事案発生時の事実調査、当社及び本人への通知、個人情報保護委員会への報告、再発防止策、公表の手順がありますか。",
     "Attach the incident response procedure."),
    ("ORG-07", "organizational", 5, True, False, A, "must",
     "Will the vendor tell the company of a leak or suspected leak without delay, early enough for the company "
     "to report to the PPC within 3-5 days?",
     "漏えい等又はそのおそれを把握した場合、当社が3～5日以内に委員会へ速報できるよう遅滞なく当社へ報告しますか。", ""),
    ("ORG-08", "organizational", 3, False, True, A, "must",
     "Does the vendor review and improve its handling through self-inspection and internal or external audits?",
     "自己点検及び内部監査・外部監査により取扱状況を点検し、改善していますか。", "Latest audit or inspection report."),
    ("PER-01", "personnel", 3, False, True, A, "must",
     "Are staff trained periodically on handling personal data?",
     "従業者に対して個人データの適正な取扱いに関する研修を定期的に実施していますか。", "Training record of the last year."),
    ("PER-02", "personnel", 4, False, True, A, "must",
     "Do work rules or pledges bind staff to confidentiality, including after they leave?",
     "就業規則又は誓約書等により、退職後を含む秘密保持を従業者に義務付けていますか。", "Template of the pledge."),
    ("PER-03", "personnel", 3, False, False, A, "must",
     "Does the vendor supervise its employees' handling of personal data (Art. 24)?",
     "従業者による個人データの取扱いを監督していますか（法第24条）。", ""),
    ("PHY-01", "physical", 4, False, False, A, "must",
     "Are the server rooms and the areas where data is handled controlled (entry control, devices brought in, "
     "screens shielded from view)?",
     "サーバ室及び個人データを取り扱う区域について、入退室管理、持込機器の制限、のぞき見防止等を行っていますか。", ""),
    ("PHY-02", "physical", 3, False, False, A, "must",
     "Are devices, media and documents protected from theft and loss (locked cabinets, security wires)?",
     "機器、電子媒体及び書類等の盗難・紛失を防止する措置（施錠保管、セキュリティワイヤー等）を講じていますか。", ""),
    ("PHY-03", "physical", 4, False, False, A, "must",
     "Are media and devices carried outside encrypted, password-protected or sealed?",
     "個人データを持ち運ぶ場合、暗号化、パスワード保護、封緘等により漏えいを防止していますか。", ""),
    ("PHY-04", "physical", 5, True, True, A, "must",
     "Is data deleted and media disposed of irrecoverably, with records and disposal certificates?",
     "個人データの削除及び機器・媒体の廃棄を復元不可能な手段で行い、記録及び廃棄証明を残していますか。",
     "Sample deletion or disposal certificate."),
    ("TEC-01", "technical", 5, True, True, A, "must",
     "Is access to personal data limited to the staff who need it (access control)?",
     "個人データへのアクセスを、業務上必要な担当者に限定するアクセス制御を行っていますか。",
     "Access control policy or role matrix."),
    ("TEC-02", "technical", 4, False, False, A, "must",
     "Are users identified and authenticated (individual accounts, strong passwords or multi-factor "
     "authentication)?",
     "個人別のアカウント及び強固なパスワード又は多要素認証により、利用者を識別・認証していますか。", ""),
    ("TEC-03", "technical", 5, True, True, A, "must",
     "Are systems protected from outside attack (firewall, anti-malware, timely updates, log analysis)?",
     "ファイアウォール、ウイルス対策ソフト、ソフトウェアの適時更新、ログ分析等により外部からの不正アクセスを防止していますか。",
     "Description of the measures or a recent vulnerability scan."),
    ("TEC-04", "technical", 4, False, False, A, "must",
     "Is leakage in system use prevented (secure design, vulnerability handling, encryption in transit and of "
     "files)?",
     "情報システムの使用に伴う漏えい等を防止する措置（安全な設計、脆弱性対策、通信及びファイルの暗号化）を講じていますか。", ""),
    ("TEC-05", "technical", 4, False, False, SYSTEM, "must",
     "Is the vendor's access to company systems limited to named accounts, reviewed periodically and removed "
     "when no longer needed?",
     "当社システムへのアクセスは個人別アカウントに限定し、定期的に見直し、不要となった時点で削除していますか。", ""),
    ("TEC-06", "technical", 3, False, True, A, "should",
     "Are backups of the data protected as strictly as the data itself and tested for restore?",
     "個人データのバックアップを本番データと同等に保護し、復元テストを行っていますか。", ""),
    ("TEC-07", "technical", 4, False, False, SPECIAL, "must",
     "Is special-care-required data encrypted at rest and its access logged individually?",
     "要配慮個人情報を保存時に暗号化し、そのアクセスを個別に記録していますか。", ""),
    ("TEC-08", "technical", 3, False, False, SPECIAL, "should",
     "Is special-care-required data separated from other data and restricted to a smaller group of staff?",
     "要配慮個人情報を他のデータと分離し、より限定された担当者のみが取り扱えるようにしていますか。", ""),
    ("EXT-01", "external_environment", 5, True, True, ABROAD, "must",
     "Does the vendor know the personal-information protection system of each foreign country where the data "
     "is handled, and has it taken the measures that system calls for?",
     "個人データを取り扱う外国の個人情報保護制度を把握し、必要な安全管理措置を講じていますか。",
     "Name the countries and summarise the assessment."),
    ("EXT-02", "external_environment", 3, False, False, ABROAD, "must",
     "Does the vendor name the foreign countries where the data is stored or accessed (incl. cloud regions)?",
     "個人データを保存・アクセスする外国（クラウドのリージョンを含む）を特定して当社に示していますか。", ""),
    ("EXT-03", "external_environment", 4, False, False, ABROAD, "must",
     "Has the vendor assessed foreign laws that may affect its measures (government access, data localisation)?",
     "政府による情報アクセスやデータローカライゼーション等、措置に影響を及ぼす外国の制度を評価していますか。", ""),
    ("CON-01", "contract", 5, True, False, A, "must",
     "Will the vendor use the data only for the entrusted work and for no other purpose?",
     "個人データを委託業務の範囲内でのみ利用し、その他の目的に利用しないことを約束しますか。", ""),
    ("CON-02", "contract", 4, False, False, A, "should",
     "Does the vendor accept a contract with the safety measures, confidentiality, audits and reports?",
     "安全管理措置、秘密保持、監査及び報告を定めた契約の締結に同意していますか。", ""),
    ("CON-03", "contract", 4, False, False, A, "should",
     "Does the vendor accept audits or inspections by the company and send periodic reports on its handling?",
     "当社による監査・立入検査を受け入れ、取扱状況を定期的に報告しますか。", ""),
    ("CON-04", "contract", 5, True, True, A, "must",
     "At the end of the work, will the data be returned or deleted and a deletion certificate issued?",
     "委託業務の終了時に個人データを返還又は削除し、削除証明書を提出しますか。", "Sample certificate."),
    ("CON-05", "contract", 3, False, False, A, "should",
     "Does the vendor refrain from copying the data beyond what the work needs?",
     "委託業務に必要な範囲を超えて個人データを複製しないことを約束しますか。", ""),
    ("CON-06", "contract", 4, False, False, A, "should",
     "Will the vendor handle or provide the data in a foreign country only with the company's prior approval?",
     "外国での個人データの取扱い又は提供は、当社の事前承認を得た場合に限りますか。", ""),
    ("REN-01", "contract", 5, True, False, A, "should",
     "Will the vendor re-entrust work only after the company's prior written consent naming the subcontractor, "
     "the work and how it handles the data?",
     "再委託は、再委託先、業務内容及び取扱方法を明示した当社の事前の書面による承諾を得た場合に限りますか。", ""),
    ("REN-02", "contract", 4, False, True, A, "should",
     "Does the vendor supervise its subcontractors as the company supervises it, and report on them?",
     "再委託先に対して当社と同等の監督を行い、その状況を当社に報告しますか。", "How subcontractors are checked."),
    ("REN-03", "contract", 3, False, False, A, "should",
     "Are the vendor's subcontractors bound by the same duties (contract terms flowing down)?",
     "再委託先にも当社との契約と同等の義務を課していますか。", ""),
]


def seed(apps, schema_editor):
    standard_model = apps.get_model("assessments", "Standard")
    criterion_model = apps.get_model("assessments", "Criterion")
    if standard_model.objects.filter(name=NAME).exists():
        return
    today = timezone.localdate()
    standard = standard_model.objects.create(
        name=NAME, version=1, status="published", pass_score=80, conditional_score=60, published_on=today,
        notes="Seeded default: covers GL-G section 10 (10-1 to 10-7) plus contract and re-entrustment controls.",
    )
    apps.get_model("assessments", "HistoricalStandard").objects.create(
        history_date=timezone.now(), history_type="+", history_change_reason="Seeded default standard.",
        **{f.attname: getattr(standard, f.attname) for f in standard._meta.concrete_fields},
    )
    criterion_model.objects.bulk_create(
        criterion_model(standard=standard, code=code, category=category, weight=weight, is_critical=critical,
                        evidence_required=evidence, applies_when=applies, obligation=obligation,
                        question_en=english, question_ja=japanese, guidance=guidance, position=position)
        for position, (code, category, weight, critical, evidence, applies, obligation, english, japanese, guidance)
        in enumerate(CRITERIA, start=1)
    )


def unseed(apps, schema_editor):
    standard_model = apps.get_model("assessments", "Standard")
    for standard in standard_model.objects.filter(name=NAME, version=1):
        standard.criteria.all().delete()
        standard.delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
