"""The demo of 文書管理・収受 for 下仁田町: a 文書分類表 (made up for the demo, in the usual shape of a town's table),
imported through the same Excel import staff use; a scanned letter (a page image rendered here, so OCR has real work)
registered in the 収受簿; and a few old 簿冊 whose 保存期間 has ended, so the 満了 list offers 廃棄 and 移管.

`classes_workbook()` is the same table as an .xlsx the import takes (the staff page 文書分類表 → Excelでダウンロード
gives it too). `render_pages()` draws Japanese text onto page images (Pillow and Debian's Noto Sans CJK); tests and the
OCR bench use it to make scans with known text."""

from __future__ import annotations

import random
from datetime import date
from io import BytesIO
from typing import Any

from django.utils import timezone

from yakuba.kernel.accounts.models import Department, Role, Staff
from yakuba.kernel.ops.demo import Town
from yakuba.kernel.tenancy.models import Municipality

from ..models import DocumentClass, DocumentKind, Incoming, Record

TOWN_CODE = "103829"  # 下仁田町
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
DEMO_NOTE = "デモ用に作成した文書分類表です（実在の町の分類表ではありません）。"

# 分類記号, 大分類, 中分類, 小分類, 主管課, 保存期間, 歴史公文書
CLASSES: list[tuple[str, str, str, str, str, str, str]] = [
    ("01-01-01", "総務", "例規", "条例・規則の制定改廃", "総務課", "永年", "○"),
    ("01-01-02", "総務", "例規", "訓令・要綱の制定改廃", "総務課", "永年", "○"),
    ("01-02-01", "総務", "文書", "文書の収受・発送", "総務課", "1年", ""),
    ("01-02-02", "総務", "文書", "公印の管理", "総務課", "10年", ""),
    ("01-02-03", "総務", "文書", "文書の廃棄・移管", "総務課", "30年", "○"),
    ("01-03-01", "総務", "議会", "議会の招集・議案", "総務課", "永年", "○"),
    ("01-03-02", "総務", "議会", "一般質問の答弁", "総務課", "10年", ""),
    ("01-04-01", "総務", "人事", "職員の任免", "総務課", "30年", ""),
    ("01-04-02", "総務", "人事", "職員の研修", "総務課", "3年", ""),
    ("01-05-01", "総務", "照会・回答", "国・県からの照会と回答", "総務課", "3年", ""),
    ("01-05-02", "総務", "照会・回答", "軽易な照会と回答", "総務課", "1年", ""),
    ("01-05-03", "総務", "照会・回答", "住民からの要望・陳情", "総務課", "5年", ""),
    ("01-06-01", "総務", "通知", "国・県からの通知", "総務課", "5年", ""),
    ("01-06-02", "総務", "通知", "庁内の通知・依頼", "総務課", "1年", ""),
    ("01-07-01", "総務", "防災", "地域防災計画", "総務課", "永年", "○"),
    ("01-07-02", "総務", "防災", "防災訓練", "総務課", "3年", ""),
    ("02-01-01", "企画", "計画", "総合計画・DX推進計画", "企画課", "永年", "○"),
    ("02-01-02", "企画", "計画", "計画の進捗管理", "企画課", "5年", ""),
    ("02-02-01", "企画", "情報化", "システムの調達・保守", "企画課", "10年", ""),
    ("03-01-01", "財政", "予算", "予算の編成", "総務課", "10年", ""),
    ("03-01-02", "財政", "予算", "予算の執行・流用", "総務課", "5年", ""),
    ("03-02-01", "財政", "支出", "支出負担行為", "会計課", "5年", ""),
    ("03-02-02", "財政", "支出", "支出命令・支払", "会計課", "5年", ""),
    ("03-03-01", "財政", "決算", "決算書・決算統計", "会計課", "永年", "○"),
    ("03-04-01", "財政", "契約", "工事請負契約", "建設水道課", "10年", ""),
    ("03-04-02", "財政", "契約", "業務委託契約", "総務課", "10年", ""),
    ("03-04-03", "財政", "契約", "物品購入契約", "総務課", "5年", ""),
    ("03-05-01", "財政", "財産", "公有財産の取得・処分", "総務課", "永年", "○"),
    ("04-01-01", "住民・税務", "戸籍・住民", "住民異動の届出", "住民税務課", "5年", ""),
    ("04-01-02", "住民・税務", "戸籍・住民", "証明書の交付申請", "住民税務課", "1年", ""),
    ("04-02-01", "住民・税務", "税務", "町民税の賦課", "住民税務課", "5年", ""),
    ("04-02-02", "住民・税務", "税務", "固定資産税の賦課", "住民税務課", "5年", ""),
    ("04-02-03", "住民・税務", "税務", "税の減免", "住民税務課", "5年", ""),
    ("05-01-01", "福祉", "児童福祉", "児童手当の認定", "福祉課", "5年", ""),
    ("05-01-02", "福祉", "児童福祉", "保育所の入所", "福祉課", "5年", ""),
    ("05-02-01", "福祉", "高齢者福祉", "介護保険の認定", "福祉課", "5年", ""),
    ("05-02-02", "福祉", "高齢者福祉", "高齢者の見守り", "福祉課", "3年", ""),
    ("05-03-01", "福祉", "障害者福祉", "障害福祉サービスの支給", "福祉課", "5年", ""),
    ("05-04-01", "福祉", "生活保護", "生活保護の相談・申請", "福祉課", "5年", ""),
    ("06-01-01", "保健", "健康づくり", "健康診査・がん検診", "保健課", "5年", ""),
    ("06-01-02", "保健", "健康づくり", "予防接種", "保健課", "5年", ""),
    ("06-02-01", "保健", "国民健康保険", "国民健康保険の資格・給付", "保健課", "5年", ""),
    ("07-01-01", "建設", "道路", "町道の認定・廃止", "建設水道課", "永年", "○"),
    ("07-01-02", "建設", "道路", "道路の維持補修", "建設水道課", "5年", ""),
    ("07-01-03", "建設", "道路", "道路占用の許可", "建設水道課", "5年", ""),
    ("07-02-01", "建設", "水道", "給水装置の工事申込", "建設水道課", "10年", ""),
    ("08-01-01", "教育", "学校教育", "就学・転校", "教育課", "5年", ""),
    ("08-01-02", "教育", "学校教育", "学校施設の管理", "教育課", "10年", ""),
    ("08-02-01", "教育", "社会教育", "公民館の運営・講座", "教育課", "3年", ""),
    ("08-02-02", "教育", "社会教育", "施設の使用許可", "教育課", "1年", ""),
    ("08-03-01", "教育", "文化財", "文化財の指定・保護", "教育課", "永年", "○"),
    ("09-01-01", "農林", "農業", "農地の転用", "農林課", "30年", ""),
    ("09-01-02", "農林", "農業", "農業振興の補助金", "農林課", "5年", ""),
    ("09-02-01", "農林", "林業", "森林の整備・伐採届", "農林課", "10年", ""),
]

# The demo letter: a resident association's request about a road, addressed to the 町長.
LETTER_TITLE = "町道三号線の補修についての要望書"
LETTER_LINES = [
    "令和8年11月2日",
    "下仁田町長 様",
    "馬山地区区長会 会長 山田一郎",
    "",
    "町道三号線の補修についての要望書",
    "",
    "日頃より地区の道路の維持管理にご尽力いただき、",
    "厚くお礼申し上げます。",
    "さて、町道三号線の馬山橋付近では舗装に穴があき、",
    "雨の日には大きな水たまりができています。",
    "通学する児童が車道に出て歩くことがあり危険です。",
    "つきましては、早急に補修していただきますよう",
    "お願い申し上げます。",
    "なお、ご回答は十二月二十五日までにいただけますと幸いです。",
]

# Old volumes for the 満了 list: (分類記号, 課, 日付, 番号, 件名). 3年・1年・5年 volumes of 2019–2021 have expired;
# the 歴史公文書 candidate (文書の廃棄・移管, 30年) has not, so the 移管 demo is a 文化財 volume kept 永年? No: 永年
# never expires; the 移管 case is the expired 3年 volume of 国・県からの照会と回答 marked historical below.
OLD_RECORDS = [
    ("01-05-02", "総務課", date(2020, 6, 10), "下総第201号", "公共施設の利用状況についての照会（回答）"),
    ("01-05-02", "総務課", date(2020, 9, 3), "下総第318号", "防犯灯の設置場所についての照会（回答）"),
    ("01-06-02", "総務課", date(2021, 5, 12), "下総第88号", "庁内LANの停止についての通知"),
    ("01-04-02", "総務課", date(2019, 7, 1), "下総第152号", "新規採用職員研修の実施について"),
    ("08-02-02", "教育課", date(2021, 8, 20), "下教第45号", "公民館ホールの使用許可について"),
    ("05-02-02", "福祉課", date(2020, 11, 5), "下福第77号", "高齢者見守り訪問の結果について"),
    ("01-02-03", "総務課", date(1994, 6, 1), "下総第12号", "平成6年度 文書廃棄目録"),
]


def _font(size: int) -> Any:
    from PIL import ImageFont

    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size, index=0)
        except OSError:
            continue
    raise RuntimeError("Noto Sans CJK is needed to draw the demo scan (Debian package fonts-noto-cjk)")


def render_pages(pages: list[list[str]], *, dpi: int = 200, noise: float = 0.0, seed: int = 1) -> list[Any]:
    """A4 page images (grey) with the given lines in a 10.5 pt-like size, as a scanner would give them; `noise`
    (0–1) adds speckles and a slight tilt."""
    from PIL import Image, ImageDraw

    width, height = int(8.27 * dpi), int(11.69 * dpi)
    font = _font(int(dpi * 0.16))
    rng = random.Random(seed)
    images = []
    for lines in pages:
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        y = int(dpi * 0.9)
        for line in lines:
            draw.text((int(dpi * 0.9), y), line, font=font, fill=20)
            y += int(dpi * 0.27)
        if noise:
            for _ in range(int(width * height * 0.0004 * noise)):
                x, yy = rng.randrange(width), rng.randrange(height)
                draw.point((x, yy), fill=rng.randrange(0, 160))
            image = image.rotate(rng.uniform(-0.6, 0.6) * noise, fillcolor=255)
        images.append(image)
    return images


def scan_pdf(pages: list[list[str]], *, dpi: int = 200, noise: float = 0.0) -> bytes:
    """A PDF of page images only (no text layer), like a scanner's."""
    images = render_pages(pages, dpi=dpi, noise=noise)
    out = BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()


def scan_png(lines: list[str], *, dpi: int = 200) -> bytes:
    out = BytesIO()
    render_pages([lines], dpi=dpi)[0].save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def classes_workbook() -> bytes:
    """The demo 文書分類表 as the .xlsx the import takes."""
    from openpyxl import Workbook

    from yakuba.kernel.files.tables import append_row

    from ..services.classes import HEADINGS

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "文書分類表"
    append_row(sheet, HEADINGS)
    for row in CLASSES:
        append_row(sheet, row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def load(municipality: Municipality, town: Town) -> None:
    if town.code != TOWN_CODE:
        return
    from ..services import classes

    admin = Staff.objects.filter(municipality=municipality, role=Role.ADMIN).select_related(
        "user", "municipality", "department").first()
    if admin is None:
        return
    table = classes.read_table(municipality, classes_workbook())
    assert table.ok, [row.problems for row in table.rows if row.problems]
    if any(row.change != "same" for row in table.rows):
        classes.import_table(admin, table.plain())
    _old_volumes(municipality, admin)
    _letter(municipality, admin)


def _old_volumes(municipality: Municipality, admin: Staff) -> None:
    from ..services.filing import file_record

    for code, department, day, number, title in OLD_RECORDS:
        if Record.objects.filter(municipality=municipality, number=number).exists():
            continue
        file_record(kind=DocumentKind.DECIDED_PAPER, title=title, department=Department.objects.get(
            municipality=municipality, name=department), document_class=DocumentClass.objects.get(
            municipality=municipality, code=code), dated=day, actor=admin.user, number=number,
            text=f"{title}。デモ用の古い文書です。", content=f"{number} {title}（デモ）".encode(),
            filename=f"{number}.txt", content_type="text/plain")


def _letter(municipality: Municipality, admin: Staff) -> None:
    from ..services import incoming

    if Record.objects.filter(municipality=municipality, title=LETTER_TITLE, kind=DocumentKind.RECEIVED).exists():
        return
    arrival = incoming.Arrival(
        title=LETTER_TITLE, sender="馬山地区区長会 会長 山田一郎",
        received_on=min(date(2026, 11, 4), timezone.localdate()),
        department=Department.objects.get(municipality=municipality, name="建設水道課"),
        document_class=DocumentClass.objects.get(municipality=municipality, code="01-05-03"),
        channel="paper", needs_answer=True, answer_by=date(2026, 12, 25),
        note="デモ用の架空の要望書です。")
    scan = incoming.Scanned(content=scan_pdf([LETTER_LINES]), content_type="application/pdf", name="要望書.pdf")
    incoming.receive(municipality, arrival, actor=admin.user, scan=scan)
    assert Incoming.objects.filter(municipality=municipality).exists()
