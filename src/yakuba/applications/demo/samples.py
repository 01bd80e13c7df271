"""A few submissions from the demo residents, filed through the services, so the staff queue is not empty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from yakuba.kernel.accounts.models import Resident, Role, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from .. import services
from ..models import LifeEvent, Procedure, Submission


@dataclass(frozen=True)
class Sample:
    """One resident's application: online with staff `steps` after it, or at the counter for `procedures`."""

    resident: int  # 1..3: resident<n>@<town>.demo
    procedures: tuple[str, ...]
    answers: dict[str, Any]
    steps: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (transition, message, fields)
    counter: bool = False
    life_event: str = ""


def _days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def samples(town: Town) -> list[Sample]:
    postal = {"shimonita": "370-2601", "kanra": "370-2202"}.get(town.slug, "")
    common = {"postal_code": postal, "declaration": True}
    if town.slug == "shimonita":
        return [
            Sample(1, ("iken-youbou",), {
                "topic": "roads", "subject": "通学路の街灯について",
                "opinion": "小学校から青倉方面への町道で、夕方になると街灯のない区間が暗く、"
                           "冬は子どもの下校時間にはもう真っ暗です。街灯の設置を検討していただけないでしょうか。",
                "reply_wanted": "yes", "reply_method": "online", "privacy": True}),
            Sample(2, ("inu-touroku",), {
                **common, "dog_name": "コタロウ", "breed": "shiba", "dog_sex": "male",
                "dog_birthdate": _days(-210), "coat_colour": "赤", "rabies_date": _days(-12)},
                steps=(("start_review", "", ()),)),
            Sample(2, ("sodai-gomi",), {
                **common, "items": [{"item": "sofa", "quantity": "1"}, {"item": "bicycle", "quantity": "1"}],
                "collection_place": "home", "preferred_date": _days(9), "notes": "玄関横の車庫の前に出します",
                "fee_confirmed": True},
                steps=(("complete", "ご希望の日に収集します。処理券番号を書いた紙を品目に貼り、"
                                    "当日の朝8時までに出してください。", ()),)),
            Sample(3, ("jidou-teate",), {
                **common, "reason": "move_in", "move_in_date": _days(-6), "previous_address": "群馬県高崎市高松町35-1",
                "civil_servant": "no", "spouse": "yes",
                "children": [{"child_name": {"family": "グエン", "given": "アン"},
                              "child_kana": {"family": "グエン", "given": "アン"}, "child_birthdate": "2022-08-15",
                              "relation": "child", "living": "together"}],
                "bank_name": "しののめ信用金庫", "branch_name": "下仁田支店", "account_type": "ordinary",
                "account_number": "0123456", "account_holder": "グエン ミン"},
                steps=(("request_correction", "口座名義が請求者ご本人のお名前と一致しません。請求者ご本人"
                                              "名義の口座の名義を入力してください。", ("account_holder",)),)),
            Sample(1, ("kaigo-nintei", "kouki-koureisha"), {
                **common, "insured_is_applicant": "self", "kaigo_number": "0000012345", "application_kind": "new",
                "current_place": "home", "doctor_name": "田中 誠", "clinic_name": "田中内科医院",
                "survey_notes": "平日の午後を希望します。長女が同席します。", "data_consent": True,
                "kouki_number": "12345678", "insured_relation": "self", "notice_type": "reissue",
                "reissue_reason": "lost"},
                counter=True, life_event="care"),
        ]
    if town.slug == "kanra":
        return [
            Sample(1, ("iken-youbou",), {
                "topic": "office", "subject": "土曜日の窓口について",
                "opinion": "平日は仕事で役場に行けません。月に一度でも土曜日に証明書を受け取れる窓口があると"
                           "助かります。",
                "reply_wanted": "yes", "reply_method": "online", "privacy": True},
                steps=(("complete", "貴重なご意見をありがとうございます。証明書はマイナンバーカードを使って"
                                    "コンビニでも受け取れます（6時30分〜23時）。土曜開庁は来年度の検討課題と"
                                    "します。", ()),)),
            Sample(2, ("shisetsu-shiyou",), {
                **common, "organisation": "小幡地区 健康体操の会", "facility": "meeting", "use_date": _days(21),
                "time_slots": ["afternoon"], "use_purpose": "地区の高齢者向け健康体操教室", "people": "15",
                "equipment": ["tables"], "exemption": "welfare",
                "exemption_reason": "高齢者の介護予防を目的とした地区の自主活動のため", "rules": True},
                steps=(("start_review", "", ()),)),
            Sample(3, ("jidou-teate",), {
                **common, "reason": "birth", "civil_servant": "no", "spouse": "yes",
                "children": [{"child_name": {"family": "グエン", "given": "ハナ"},
                              "child_kana": {"family": "グエン", "given": "ハナ"}, "child_birthdate": _days(-8),
                              "relation": "child", "living": "together"}],
                "bank_name": "甘楽富岡農業協同組合", "branch_name": "甘楽支店", "account_type": "ordinary",
                "account_number": "0765432", "account_holder": "グエン テイ ラン"},
                steps=(("request_correction", "口座名義が通帳の名義と一致しませんでした。通帳のとおり、"
                                              "カタカナで入力してください。", ("account_holder",)),)),
            Sample(1, ("kouki-koureisha",), {
                **common, "kouki_number": "87654321", "insured_relation": "self", "notice_type": "address",
                "new_address": "群馬県甘楽郡甘楽町大字福島801", "change_date": _days(-3)}),
            Sample(2, ("inu-touroku",), {
                **common, "dog_name": "モモ", "breed": "toy_poodle", "dog_sex": "female",
                "dog_birthdate": _days(-120), "coat_colour": "アプリコット", "rabies_date": _days(-5),
                "rabies_clinic": "かんら動物クリニック"},
                counter=True),
        ]
    return []


def load(municipality: Municipality, town: Town) -> None:
    """File the town's samples once: nothing happens when the town already has submissions."""
    plan = samples(town)
    if not plan or Submission.objects.exists():
        return
    residents = {r.user.email: r for r in Resident.objects.select_related("user").filter(user__isnull=False)
                 if r.user is not None}
    for sample in plan:
        resident = residents[f"resident{sample.resident}@{town.slug}.demo"]
        procedures = [Procedure.objects.get(slug=slug) for slug in sample.procedures]
        if sample.counter:
            _file_at_counter(sample, resident, procedures, town)
        else:
            _file_online(sample, resident, procedures[0], town)


def _clerk(procedure: Procedure) -> Staff:
    """Staff of the owning department, else the town's 情報担当 (who may handle every submission)."""
    staff = Staff.objects.filter(department=procedure.department).order_by("pk").first()
    return staff or Staff.objects.filter(role=Role.ADMIN).order_by("pk")[0]


def _file_online(sample: Sample, resident: Resident, procedure: Procedure, town: Town) -> None:
    draft = services.start_draft(procedure, resident)
    form = draft.form_version.form
    for index, page in enumerate(form.pages):
        names = {f.name for f in page.fields}
        services.save_page(draft, index, {k: v for k, v in sample.answers.items() if k in names},
                           actor=resident.user)
    submission = services.submit(draft, actor=resident.user)
    clerk = _clerk(procedure)
    for name, message, fields in sample.steps:
        services.transition(submission, name, staff=clerk, message=message, fields=fields)


def _file_at_counter(sample: Sample, resident: Resident, procedures: list[Procedure], town: Town) -> None:
    clerk = Staff.objects.get(user__email=f"juumin@{town.slug}.demo")
    life_event = LifeEvent.objects.filter(slug=sample.life_event).first() if sample.life_event else None
    visit = services.start_visit(resident, procedures, staff=clerk, life_event=life_event)
    services.save_visit_page(visit, 0, dict(sample.answers))
    services.record_identity_check(visit, "mynumber_card", staff=clerk)
    services.file_visit(visit, staff=clerk)
