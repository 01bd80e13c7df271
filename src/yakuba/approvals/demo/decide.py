"""Demo of 起案・回議・決裁 in 下仁田町: the posts of 総務課 and the town (係長, 課長, 会計課長, 副町長, 町長) held
by demo staff who can sign in, the 事務決裁規程 (a 支出負担行為 up to 100万円 is the 課長's 専決, up to 1,000万円 the
副町長's with 合議 of 会計課, above it the 町長's and 重要), the 代決 orders, 副町長 不在 for a week around today,
the templates, and two drafts on their way: one waiting for the 係長, one waiting for the absent 副町長 (代決).

Idempotent: a second load writes nothing new.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from yakuba.kernel.accounts.models import Department, Role, Section, Staff, User
from yakuba.kernel.ops.demo import Town, _set_password, _upsert, totp_key
from yakuba.kernel.tenancy.models import Municipality

from ..models import (
    Absence,
    DecisionRule,
    Deputy,
    DocumentClass,
    Draft,
    DraftTemplate,
    Matter,
    Post,
    Rank,
)
from ..services import decide, drafts

TOWN = "shimonita"
# (email, family, given, department): people the other demo data does not have yet.
PEOPLE = (
    ("kakaricho", "係長", "四郎", "総務課"),
    ("fukuchoson", "副町長", "五郎", "総務課"),
    ("chouchou", "町長", "六郎", "総務課"),
)
# (title, rank, department or None for town-wide, section, holder's mail name)
POSTS = (
    ("総務課庶務係長", Rank.CHIEF, "総務課", "庶務係", "kakaricho"),
    ("総務課長", Rank.DIRECTOR, "総務課", None, "kacho"),
    ("会計課長", Rank.DIRECTOR, "会計課", None, "kaikei"),
    ("副町長", Rank.DEPUTY_MAYOR, None, None, "fukuchoson"),
    ("町長", Rank.MAYOR, None, None, "chouchou"),
)
DEPUTIES = (("副町長", ("総務課長",)), ("町長", ("副町長", "総務課長")))
# 文書分類 the demo drafts use: the same lines as the filing half's 文書分類表 (loaded first), so loading one
# never changes the other's rows.
CLASSES = (
    ("03-02-01", "財政", "支出", "支出負担行為", 5),
    ("03-04-02", "財政", "契約", "業務委託契約", 10),
    ("01-05-01", "総務", "照会・回答", "国・県からの照会と回答", 3),
    ("01-06-02", "総務", "通知", "庁内の通知・依頼", 1),
)
# (matter, amount up to, decider, consult departments, important)
RULES = (
    (Matter.EXPENDITURE, 1_000_000, Rank.DIRECTOR, (), False),
    (Matter.EXPENDITURE, 10_000_000, Rank.DEPUTY_MAYOR, ("会計課",), False),
    (Matter.EXPENDITURE, None, Rank.MAYOR, ("会計課",), True),
    (Matter.CONTRACT, 1_300_000, Rank.DIRECTOR, (), False),
    (Matter.CONTRACT, None, Rank.DEPUTY_MAYOR, ("会計課",), False),
    (Matter.REPLY, None, Rank.DIRECTOR, (), False),
    (Matter.NOTICE, None, Rank.DIRECTOR, (), False),
    (Matter.GENERAL, None, Rank.DIRECTOR, (), False),
)
TEMPLATES = (
    (Matter.EXPENDITURE, "支出負担行為", "03-02-01", "{item}の支出について",
     "<p>このことについて、下記のとおり支出してよろしいか伺います。</p><h3>記</h3><ol><li>目的: </li>"
     "<li>支出科目: </li><li>金額: </li><li>相手方: </li><li>支払方法: 口座振替</li></ol>"),
    (Matter.CONTRACT, "契約", "03-04-02", "{item}の契約締結について",
     "<p>このことについて、下記のとおり契約を締結してよろしいか伺います。</p><h3>記</h3><ol><li>契約の目的: </li>"
     "<li>契約の相手方: </li><li>契約金額: </li><li>契約期間: </li><li>契約の方法: </li></ol>"),
    (Matter.REPLY, "照会回答", "01-05-01", "{item}について（回答）",
     "<p>令和　年　月　日付けで照会のありましたこのことについて、下記のとおり回答してよろしいか伺います。</p>"
     "<h3>記</h3><p></p>"),
    (Matter.NOTICE, "通知", "01-06-02", "{item}について（通知）",
     "<p>このことについて、別紙のとおり通知してよろしいか伺います。</p>"),
)
DRAFTS = (
    ("庁舎用コピー用紙の購入について", 500_000, "株式会社上州文具", "02-01-01-11 需用費"),
    ("防災行政無線の保守点検業務委託料の支出について", 3_000_000, "群馬電設株式会社", "09-01-05-13 委託料"),
)


def load(municipality: Municipality, town: Town) -> None:
    """Called by `yakuba demo` for each town inside its scope and transaction; only 下仁田町 has this demo."""
    if town.slug != TOWN:
        return
    departments = {d.name: d for d in Department.objects.all()}
    _people(municipality, departments)
    posts = _posts(municipality, departments)
    classes = {code: _upsert(DocumentClass, {"municipality": municipality, "code": code}, {
        "major": major, "middle": middle, "name": name, "retention": retention})
        for code, major, middle, name, retention in CLASSES}
    _rules(municipality, departments)
    for matter, name, code, title, body in TEMPLATES:
        _upsert(DraftTemplate, {"municipality": municipality, "name": name}, {
            "matter": matter, "title": title.format(item="○○"), "body": body, "document_class": classes[code]})
    today = timezone.localdate()
    if not Absence.objects.filter(post=posts["副町長"]).exists():
        Absence.objects.create(municipality=municipality, post=posts["副町長"], starts_on=today - timedelta(days=3),
                               ends_on=today + timedelta(days=4), reason="県外出張（デモ）")
    _drafts(municipality, posts, classes["03-02-01"])


def _people(municipality: Municipality, departments: dict[str, Department]) -> None:
    for name, family, given, department in PEOPLE:
        email = f"{name}@{TOWN}.demo"
        user, _ = User.objects.get_or_create(email=email, defaults={"display_name": f"{family} {given}"})
        _set_password(user)
        _upsert(Staff, {"user": user}, {"municipality": municipality, "department": departments[department],
                                        "role": Role.APPROVER, "family_name": family, "given_name": given})
        _upsert(TOTPDevice, {"user": user, "name": "demo"}, {"key": totp_key(email), "confirmed": True})


def _posts(municipality: Municipality, departments: dict[str, Department]) -> dict[str, Post]:
    holders = {staff.user.email.split("@")[0]: staff for staff in Staff.objects.select_related("user")}
    posts = {}
    for title, rank, department, section, holder in POSTS:
        section_row = Section.objects.filter(department__name=department, name=section).first() if section else None
        posts[title] = _upsert(Post, {"municipality": municipality, "title": title}, {
            "rank": rank, "department": departments[department] if department else None, "section": section_row,
            "holder": holders.get(holder)})
    for title, order in DEPUTIES:
        for index, deputy in enumerate(order, 1):
            _upsert(Deputy, {"municipality": municipality, "post": posts[title], "order": index},
                    {"deputy": posts[deputy]})
    return posts


def _rules(municipality: Municipality, departments: dict[str, Department]) -> None:
    if DecisionRule.objects.exists():
        return  # the town may have changed its 規程 since
    for matter, up_to, rank, consult, important in RULES:
        rule = DecisionRule.objects.create(municipality=municipality, matter=matter, amount_up_to=up_to,
                                           decider_rank=rank, important=important)
        rule.consult.set([departments[name] for name in consult])


def _drafts(municipality: Municipality, posts: dict[str, Post], document_class: DocumentClass) -> None:
    clerk = Staff.objects.filter(user__email=f"soumu@{TOWN}.demo").first()
    if clerk is None or Draft.objects.filter(title__in=[title for title, *_ in DRAFTS]).exists():
        return
    template = DraftTemplate.objects.get(name="支出負担行為")
    made = []
    for title, amount, payee, budget in DRAFTS:
        body = template.body.replace("目的: ", f"目的: {title.removesuffix('について')}").replace(
            "金額: ", f"金額: {amount:,}円").replace("相手方: ", f"相手方: {payee}")
        data = drafts.DraftData(title=title, body=body, document_class=document_class, matter=Matter.EXPENDITURE,
                                amount=amount, payee=payee, budget_code=budget)
        made.append(decide.send(clerk, drafts.create_draft(clerk, data)))
    # The larger one has been approved up to the 副町長, who is away: 総務課長 may decide it by 代決.
    larger = made[1]
    for title in ("総務課庶務係長", "総務課長", "会計課長"):
        holder = Post.objects.get(pk=posts[title].pk).holder
        if holder is not None:
            decide.approve(holder, larger)
