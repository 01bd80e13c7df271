"""Editing the town's 事務決裁規程 (who decides what, by matter and amount band), its 職位 (who holds which post) and
each post's 代決 order. Who may: the keepers of the 文書分類表 (情報担当, or 所属長 of the 文書主管課), the same
people the app trusts with its other settings. Every change is audited with what it was and what it became."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Section, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.refusal import Refused

from ..models import ConsultMode, DecisionRule, Deputy, DocumentClass, Matter, Post, Rank
from .classes import may_manage
from .routes import DEPARTMENT_RANKS, MONEY

MAX_DEPUTIES = 3


def _check_keeper(staff: Staff) -> None:
    if not may_manage(staff):
        raise Refused(_("事務決裁規程と職位を変更できるのは情報担当と文書主管課の所属長です。"))


def band_label(rule: DecisionRule, lower: int | None) -> str:
    """The amount band of a rule as people read it (「100万円超 1,000万円以下」)."""
    if rule.matter not in MONEY:
        return _("金額によらない")
    low = _("%(amount)s円超") % {"amount": f"{lower:,}"} if lower is not None else ""
    high = _("%(amount)s円以下") % {"amount": f"{rule.amount_up_to:,}"} if rule.amount_up_to is not None else ""
    if not low and not high:
        return _("金額によらない")
    return " ".join(part for part in (low, high or _("上限なし")) if part)


def table() -> list[tuple[DecisionRule, str]]:
    """The town's rules in reading order, each with its band (the band starts above the previous line's limit of
    the same matter and 分類)."""
    rules = list(DecisionRule.objects.select_related("document_class").prefetch_related("consult")
                 .order_by("matter", "document_class_id", "amount_up_to", "pk"))
    rules.sort(key=lambda r: (r.matter, r.document_class_id or 0, r.amount_up_to is None, r.amount_up_to or 0))
    previous: dict[tuple[str, int | None], int | None] = {}
    rows = []
    for rule in rules:
        key = (rule.matter, rule.document_class_id)
        rows.append((rule, band_label(rule, previous.get(key))))
        previous[key] = rule.amount_up_to
    return rows


# 事務決裁規程 ---------------------------------------------------------------------------------------------------------

@dataclass
class RuleFields:
    matter: str
    document_class: DocumentClass | None
    amount_up_to: int | None
    decider_rank: int
    consult: list[Department] = field(default_factory=list)
    consult_mode: str = ConsultMode.ALL
    important: bool = False


def _rule_state(rule: DecisionRule) -> dict[str, Any]:
    return {"matter": rule.matter, "document_class": rule.document_class_id, "amount_up_to": rule.amount_up_to,
            "decider_rank": rule.decider_rank, "consult": sorted(d.pk for d in rule.consult.all()),
            "consult_mode": rule.consult_mode, "important": rule.important}


def _held(rank: int, *, departments: list[Department] | None = None, leaving: Post | None = None) -> bool:
    """Whether someone holds a post of `rank` (in one of `departments` when given), `leaving` not counted."""
    posts = Post.objects.filter(rank=rank, holder__isnull=False, holder__is_active=True)
    if departments is not None:
        posts = posts.filter(department__in=departments)
    if leaving is not None:
        posts = posts.exclude(pk=leaving.pk)
    return posts.exists()


def _rule_problems(rule: DecisionRule | None, fields: RuleFields) -> dict[str, str]:
    errors: dict[str, str] = {}
    if fields.matter not in Matter.values:
        errors["matter"] = _("事項を選び直してください。")
    if fields.decider_rank not in Rank.values:
        errors["decider_rank"] = _("決裁権者（専決の職位）を選び直してください。")
    elif not _held(fields.decider_rank):
        errors["decider_rank"] = _("決裁権者の職位（%(rank)s）に在職者がいません。先に職位と在職者を登録して"
                                   "ください。") % {"rank": Rank(fields.decider_rank).label}
    if fields.matter not in MONEY and fields.amount_up_to is not None:
        errors["amount_up_to"] = _("金額の上限は支出負担行為と契約にだけ設定できます。空欄にしてください。")
    missing = [d.name for d in fields.consult if not _held(Rank.DIRECTOR, departments=[d])]
    if missing:
        errors["consult"] = _("合議先（%(names)s）の課長に在職者がいません。先に職位を登録してください。") % {
            "names": "、".join(missing)}
    if errors:
        return errors
    same = DecisionRule.objects.filter(matter=fields.matter, document_class=fields.document_class)
    if rule is not None:
        same = same.exclude(pk=rule.pk)
    if any(other.amount_up_to == fields.amount_up_to for other in same):
        errors["amount_up_to"] = (
            _("同じ事項・分類に、上限が同じ（上限なし）行があり、金額の区分が重なります。上限を変えるか、"
              "その行を直してください。") if fields.amount_up_to is None else
            _("同じ事項・分類に、上限が同じ %(amount)s円の行があり、金額の区分が重なります。") % {
                "amount": f"{fields.amount_up_to:,}"})
        return errors
    return _band_order_problems(same, fields)


def _band_order_problems(same: Any, fields: RuleFields) -> dict[str, str]:
    """A larger amount never goes to a lower decider: the bands, ordered by limit, keep the ranks rising."""
    limit = fields.amount_up_to if fields.amount_up_to is not None else 10**18
    for other in same:
        other_limit = other.amount_up_to if other.amount_up_to is not None else 10**18
        if (other_limit < limit and other.decider_rank > fields.decider_rank) or (
                other_limit > limit and other.decider_rank < fields.decider_rank):
            return {"decider_rank": _("金額の区分と決裁権者が逆になります（%(other)s の行は %(rank)s）。"
                                      "金額が大きい区分ほど、同じか上の職位にしてください。") % {
                "other": band_label(other, None) if other.amount_up_to is not None else _("上限なし"),
                "rank": Rank(other.decider_rank).label}}
    return {}


def save_rule(staff: Staff, rule: DecisionRule | None, fields: RuleFields, *,
              request: HttpRequest | None = None) -> DecisionRule:
    """Add a line to the 事務決裁規程 or change one; refused when its band overlaps another line of the same matter
    and 分類, when the ranks would fall as amounts rise, or when nobody holds the deciding (or consulted) post."""
    _check_keeper(staff)
    errors = _rule_problems(rule, fields)
    if errors:
        raise Refused(errors)
    before = _rule_state(rule) if rule is not None else None
    target = rule or DecisionRule(municipality=staff.municipality)
    target.matter, target.document_class = fields.matter, fields.document_class
    target.amount_up_to, target.decider_rank = fields.amount_up_to, fields.decider_rank
    target.consult_mode, target.important = fields.consult_mode, fields.important
    with transaction.atomic():
        target.save()
        target.consult.set(fields.consult)
        audit("approvals.rule.saved", municipality=staff.municipality, actor=staff.user, obj=target, request=request,
              data={"before": before, "after": _rule_state(target)})
    return target


def delete_rule(staff: Staff, rule: DecisionRule, *, request: HttpRequest | None = None) -> None:
    """Remove a line. Drafts already on their route keep it; new drafts of its band find the next line (or none)."""
    _check_keeper(staff)
    with transaction.atomic():
        audit("approvals.rule.deleted", municipality=staff.municipality, actor=staff.user, obj=rule, request=request,
              data={"before": _rule_state(rule), "after": None})
        rule.delete()


# 職位・代決の順位 -----------------------------------------------------------------------------------------------------

@dataclass
class PostFields:
    title: str
    rank: int
    department: Department | None
    section: Section | None
    holder: Staff | None
    deputies: list[Post | None] = field(default_factory=list)  # the 代決 order, first line first; None = blank


def _post_state(post: Post) -> dict[str, Any]:
    return {"title": post.title, "rank": post.rank, "department": post.department_id, "section": post.section_id,
            "holder": post.holder_id,
            "deputies": list(Deputy.objects.filter(post=post).order_by("order").values_list("deputy_id", flat=True))}


def _post_problems(post: Post | None, fields: PostFields) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not fields.title.strip():
        errors["title"] = _("職名を入力してください。")
    elif Post.objects.filter(title=fields.title.strip()).exclude(pk=post.pk if post else 0).exists():
        errors["title"] = _("職名「%(title)s」は既にあります。") % {"title": fields.title.strip()}
    in_department = fields.rank in DEPARTMENT_RANKS
    if in_department and fields.department is None:
        errors["department"] = _("係長・副課長・課長の職位には課を選んでください。")
    if not in_department and fields.department is not None:
        errors["department"] = _("教育長・副町長・町長の職位は課を空欄にしてください（町全体の職位です）。")
    if fields.section is not None and fields.section.department_id != getattr(fields.department, "pk", None):
        errors["section"] = _("係は、選んだ課の係を選んでください。")
    if fields.holder is not None and not fields.holder.is_active:
        errors["holder"] = _("在職者には在職中の職員を選んでください。")
    errors.update(_deputy_problems(post, fields))
    if not errors and post is not None and fields.holder is None:
        errors.update(_vacancy_problems(post, fields))
    return errors


def _deputy_problems(post: Post | None, fields: PostFields) -> dict[str, str]:
    chosen = [deputy for deputy in fields.deputies if deputy is not None]
    for index, deputy in enumerate(fields.deputies):
        if deputy is None:
            continue
        if post is not None and deputy.pk == post.pk:
            return {f"deputy_{index + 1}": _("代決者に、この職位自身は選べません。")}
        if [d.pk for d in chosen].count(deputy.pk) > 1:
            return {f"deputy_{index + 1}": _("代決者「%(title)s」が2回選ばれています。") % {"title": deputy.title}}
    return {}


def _vacancy_problems(post: Post, fields: PostFields) -> dict[str, str]:
    """A post left vacant (空席) that the rules name as 決裁権者 must leave a holder of its rank, or a 代決 order."""
    if any(fields.deputies):
        return {}
    departments = [fields.department] if fields.department is not None else None
    used = DecisionRule.objects.filter(decider_rank=fields.rank).exists()
    if used and not _held(fields.rank, departments=departments, leaving=post):
        return {"holder": _("この職位（%(rank)s）は事務決裁規程で決裁権者になっています。空席にするなら代決の順位を"
                            "登録してください。") % {"rank": Rank(fields.rank).label}}
    return {}


def save_post(staff: Staff, post: Post | None, fields: PostFields, *, request: HttpRequest | None = None) -> Post:
    """Add a 職位 or change it (title, rank, 課・係, who holds it, its 代決 order) in one go."""
    _check_keeper(staff)
    errors = _post_problems(post, fields)
    if errors:
        raise Refused(errors)
    before = _post_state(post) if post is not None else None
    target = post or Post(municipality=staff.municipality)
    target.title, target.rank = fields.title.strip(), fields.rank
    target.department, target.section, target.holder = fields.department, fields.section, fields.holder
    with transaction.atomic():
        target.save()
        Deputy.objects.filter(post=target).delete()
        Deputy.objects.bulk_create([
            Deputy(municipality=staff.municipality, post=target, deputy=deputy, order=order)
            for order, deputy in enumerate((d for d in fields.deputies if d is not None), start=1)])
        audit("approvals.post.saved", municipality=staff.municipality, actor=staff.user, obj=target, request=request,
              data={"before": before, "after": _post_state(target)})
    return target


def delete_post(staff: Staff, post: Post, *, request: HttpRequest | None = None) -> None:
    """Remove a 職位 nobody's route has used; one that has been on a route stays (change its holder instead)."""
    _check_keeper(staff)
    if DecisionRule.objects.filter(decider_rank=post.rank).exists() and not _held(
            post.rank, departments=[post.department] if post.department else None, leaving=post):
        raise Refused(_("この職位（%(rank)s）は事務決裁規程で決裁権者になっていて、ほかに在職者がいないため削除"
                        "できません。") % {"rank": Rank(post.rank).label})
    try:
        with transaction.atomic():
            audit("approvals.post.deleted", municipality=staff.municipality, actor=staff.user, obj=post,
                  request=request, data={"before": _post_state(post), "after": None})
            Deputy.objects.filter(Q(post=post) | Q(deputy=post)).delete()
            post.delete()
    except ProtectedError as error:
        raise Refused(_("回議に使われた職位は削除できません。在職者を変えて使い続けてください。")) from error
