"""通報 in the demo towns: the categories with their own questions in every town, and in 下仁田町 a handful of
reports in each status, placed in the town, with small photos drawn at load (no location or camera data)."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from yakuba.kernel.accounts.models import Department
from yakuba.kernel.files.uploads import private_storage
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models import Report, ReportCategory, ReportEvent, ReportPhoto, ReportStatus


def _form(title: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    return {"title": title, "version": 1, "pages": [{"title": title, "fields": fields}]} if fields else {}


# code, name, name_en, description, departments (first found), questions
CATEGORIES: list[tuple[str, str, str, str, tuple[str, ...], list[dict[str, Any]]]] = [
    ("road", "道路の損傷", "Road damage", "穴、段差、ひび割れ、ガードレールの破損など",
     ("建設水道課", "建設課", "都市整備課"), [
        {"name": "kind", "type": "choice", "label": "損傷の種類", "options": [
            ["hole", "穴・くぼみ"], ["crack", "ひび割れ・段差"], ["rail", "ガードレール・標識"], ["other", "その他"]]},
        {"name": "danger", "type": "choice", "label": "通行に危険がありますか", "required": False, "options": [
            ["yes", "危険がある"], ["no", "すぐの危険はない"]]}]),
    ("streetlight", "街路灯", "Street light", "街路灯・防犯灯が点かない、点滅する",
     ("建設水道課", "建設課", "都市整備課"), [
        {"name": "pole_number", "type": "text", "label": "電柱や灯具の番号", "required": False, "max_length": 40,
         "help_text": "柱や灯具に貼ってある番号（わかれば）"},
        {"name": "state", "type": "choice", "label": "状態", "options": [
            ["off", "点かない"], ["blinking", "点滅している"], ["daytime", "昼も点いている"]]}]),
    ("fallen_tree", "倒木", "Fallen tree", "道路や歩道をふさぐ倒木、折れた枝", ("農林課", "建設水道課", "建設課"), [
        {"name": "blocking", "type": "choice", "label": "道をふさいでいますか", "options": [
            ["all", "全部ふさいでいる"], ["part", "一部ふさいでいる"], ["no", "ふさいでいない"]]}]),
    ("dumping", "不法投棄", "Illegal dumping", "ごみや家電の不法投棄", ("住民税務課", "住民課", "住民福祉課"), [
        {"name": "items", "type": "multi_choice", "label": "捨てられているもの", "required": False, "options": [
            ["household", "家庭ごみ"], ["appliance", "家電"], ["tyre", "タイヤ"], ["other", "その他"]]}]),
    ("wildlife", "獣害（有害鳥獣）", "Wildlife damage", "イノシシ・シカ・サル・クマなどの出没や被害",
     ("農林課", "産業課"), [
        {"name": "animal", "type": "choice", "label": "動物の種類", "options": [
            ["boar", "イノシシ"], ["deer", "シカ"], ["monkey", "サル"], ["bear", "クマ"], ["other", "その他"]]},
        {"name": "damage", "type": "choice", "label": "被害", "options": [
            ["seen", "見かけた（被害なし）"], ["crops", "農作物の被害"], ["property", "家や物の被害"],
            ["people", "人への危険"]]}]),
    ("playground", "公園遊具", "Playground equipment", "公園の遊具の破損や危険",
     ("建設水道課", "建設課", "都市整備課"), [
        {"name": "equipment", "type": "text", "label": "遊具の名前", "required": False, "max_length": 40,
         "help_text": "例：ブランコ、すべり台"}]),
    ("other", "その他", "Other", "上にあてはまらないもの", ("総務課",), []),
]

# 下仁田町 (about 36.2123, 138.7878): category, status, place, latitude, longitude, text, answers, answer
REPORTS = [
    ("streetlight", ReportStatus.RECEIVED, "下仁田駅前の交差点", "36.212800", "138.789100",
     "街路灯が夜になっても点きません。", {"state": "off"}, ""),
    ("road", ReportStatus.RECEIVED, "町役場の北、町道の坂道", "36.214100", "138.786900",
     "路面に大きな穴があいていて、自転車が転びそうです。", {"kind": "hole", "danger": "yes"}, ""),
    ("fallen_tree", ReportStatus.IN_PROGRESS, "下仁田町大字馬山の林道", "36.205300", "138.771200",
     "倒木が林道の半分をふさいでいます。", {"blocking": "part"}, "現地を確認しました。今週中に撤去します。"),
    ("wildlife", ReportStatus.IN_PROGRESS, "大字西野牧の畑", "36.228900", "138.742500",
     "イノシシに畑を荒らされました。", {"animal": "boar", "damage": "crops"}, "わなの設置を猟友会と調整しています。"),
    ("dumping", ReportStatus.DONE, "鏑川の河川敷", "36.210600", "138.795400",
     "古いテレビが捨てられています。", {"items": ["appliance"]}, "回収しました。ご連絡ありがとうございました。"),
    ("playground", ReportStatus.DONE, "下仁田町ふれあい公園", "36.216700", "138.781800",
     "ブランコの鎖がさびて切れそうです。", {"equipment": "ブランコ"}, "鎖を交換しました。"),
]
COLOURS = {"streetlight": (40, 40, 70), "road": (110, 100, 90), "fallen_tree": (60, 110, 50),
           "wildlife": (120, 100, 60), "dumping": (90, 90, 110), "playground": (150, 90, 40)}


def _department(names: tuple[str, ...]) -> Department | None:
    for name in names:
        found = Department.objects.filter(name=name).first()
        if found is not None:
            return found
    return Department.objects.order_by("sort_order", "pk").first()


def _photo(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((140, 120, 340, 300), outline=(240, 240, 240), width=6)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)  # drawn here: no EXIF, no GPS
    return out.getvalue()


def load(municipality: Municipality, town: Town) -> None:
    categories: dict[str, ReportCategory] = {}
    for order, (code, name, name_en, description, departments, fields) in enumerate(CATEGORIES):
        department = _department(departments)
        if department is None:
            return
        category, _created = ReportCategory.objects.get_or_create(
            municipality=municipality, code=code,
            defaults={"name": name, "name_en": name_en, "description": description, "department": department,
                      "definition": _form(name, fields), "sort_order": order})
        categories[code] = category
    if town.code != "103829":
        return
    now = timezone.now()
    for index, (code, status, place, lat, lon, text, answers, answer) in enumerate(REPORTS, start=1):
        number = f"DEMO-{index:03d}"
        if Report.objects.filter(municipality=municipality, number=number).exists():
            continue
        category = categories[code]
        report = Report.objects.create(
            municipality=municipality, number=number, category=category, status=status, address=place,
            latitude=Decimal(lat), longitude=Decimal(lon), description=text, answers=answers,
            department=category.department, accepted=status != ReportStatus.RECEIVED, public_answer=answer,
            closed_at=now if status == ReportStatus.DONE else None)
        Report.objects.filter(pk=report.pk).update(created_at=now - timedelta(days=12 - index * 2))
        data = _photo(COLOURS[code])
        path = private_storage().save(f"voice/reports/photos/{municipality.pk}/demo-{number}", ContentFile(data))
        ReportPhoto.objects.create(municipality=municipality, report=report, path=path, content_type="image/jpeg",
                                   width=480, height=360, sha256=hashlib.sha256(data).hexdigest())
        ReportEvent.objects.create(municipality=municipality, report=report, status=ReportStatus.RECEIVED)
        if status != ReportStatus.RECEIVED:
            ReportEvent.objects.create(municipality=municipality, report=report, status=status, note=answer)
