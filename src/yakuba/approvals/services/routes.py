"""回議 routes from the town's 事務決裁規程: which rule applies to a draft, the route it gives (主務者 → 係長 → 課長 …
with 合議, up to the 決裁権者), who is 不在 and who may decide for them (代決)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.refusal import Refused

from ..models import (
    Absence,
    ConsultMode,
    DecisionRule,
    Deputy,
    DocumentClass,
    Matter,
    Post,
    Rank,
    StepKind,
)

MONEY = frozenset({Matter.EXPENDITURE, Matter.CONTRACT})
DEPARTMENT_RANKS = (Rank.CHIEF, Rank.DEPUTY_DIRECTOR, Rank.DIRECTOR)


@dataclass(frozen=True)
class Matterish:
    """What the 事務決裁規程 looks at in a draft (a draft, or a form not saved yet for the preview)."""

    department: Department
    drafter: Staff
    matter: str
    document_class: DocumentClass | None
    amount: int | None
    important: bool = False


@dataclass(frozen=True)
class PlannedStep:
    sequence: int
    kind: str
    post: Post
    mode: str = ConsultMode.ALL
    absent: bool = False

    @property
    def label(self) -> str:
        holder = self.post.holder
        return f"{self.post.title}（{holder}）" if holder is not None else self.post.title


@dataclass(frozen=True)
class Route:
    rule: DecisionRule
    steps: list[PlannedStep]

    @property
    def decider(self) -> PlannedStep:
        return self.steps[-1]

    @property
    def important(self) -> bool:
        return self.rule.important

    def groups(self) -> list[list[PlannedStep]]:
        """The steps by sequence: a group of several is a parallel 合議."""
        grouped: dict[int, list[PlannedStep]] = {}
        for step in self.steps:
            grouped.setdefault(step.sequence, []).append(step)
        return list(grouped.values())


def rule_for(item: Matterish) -> DecisionRule:
    """The 事務決裁規程 line for the matter (one written for the draft's 分類 first), the lowest amount limit that
    covers the amount. Refused when the matter needs an amount and has none, or the town has no rule for it."""
    if item.matter in MONEY and item.amount is None:
        raise Refused({"amount": _("金額を入力してください（支出負担行為と契約は金額で決裁権者が決まります）。")})
    amount = item.amount or 0
    rules = (DecisionRule.objects.filter(matter=item.matter)
             .filter(Q(amount_up_to__isnull=True) | Q(amount_up_to__gte=amount))
             .filter(Q(document_class__isnull=True) | Q(document_class=item.document_class)))
    candidates = sorted(rules.prefetch_related("consult"),
                        key=lambda rule: (rule.document_class_id is None,
                                          rule.amount_up_to is None, rule.amount_up_to or 0))
    if not candidates:
        raise Refused({"matter": _("この事項の決裁規程がありません。事務決裁規程を担当する職員に確認してください。")})
    return candidates[0]


def absent_posts(posts: list[Post], day: date) -> set[int]:
    """Ids of the posts whose holder is 不在 on `day` (or that nobody holds)."""
    away = set(Absence.objects.filter(post__in=posts, starts_on__lte=day, ends_on__gte=day)
               .values_list("post_id", flat=True))
    return away | {post.pk for post in posts if post.holder_id is None}


def is_absent(post: Post, day: date) -> bool:
    return post.pk in absent_posts([post], day)


def deputy_for(post: Post, day: date) -> Post | None:
    """Who decides for `post` on `day`: the first post of its 代決 order that is held and present."""
    order = [line.deputy for line in Deputy.objects.filter(post=post).select_related("deputy__holder")]
    away = absent_posts(order, day)
    return next((deputy for deputy in order if deputy.pk not in away), None)


def _chain(item: Matterish, decider_rank: int) -> list[Post]:
    """The posts from the 係長 of the drafter's section up to the decider's rank, lowest first."""
    in_department = Q(department=item.department, rank__in=DEPARTMENT_RANKS)
    town_wide = Q(department__isnull=True, rank__gt=Rank.DIRECTOR)
    posts = list(Post.objects.filter(in_department | town_wide, rank__lte=decider_rank)
                 .select_related("holder", "section").order_by("rank", "pk"))
    chosen: dict[int, Post] = {}
    for post in posts:
        if post.rank == Rank.SUPERINTENDENT and decider_rank != Rank.SUPERINTENDENT:
            continue  # 教育長 decides education matters; it is not a step on the way to the 副町長
        if post.rank == Rank.CHIEF and item.drafter.section_id and post.section_id not in (
                None, item.drafter.section_id):
            continue  # another section's 係長
        if post.holder_id == item.drafter.pk and post.rank != decider_rank:
            continue  # the drafter's own seat is the 主務者, not a step
        chosen.setdefault(post.rank, post)
    return list(chosen.values())


def build_route(item: Matterish) -> Route:
    """The route the rules give `item`: each post on the way up, a 合議 group before the decider, the decider last."""
    rule = rule_for(item)
    chain = _chain(item, rule.decider_rank)
    if not chain or chain[-1].rank != rule.decider_rank:
        raise Refused(_("決裁権者（%(rank)s）の職位が登録されていません。"
                        "事務決裁規程を担当する職員に確認してください。")
                      % {"rank": Rank(rule.decider_rank).label})
    consulted = [department for department in rule.consult.all() if department.pk != item.department.pk]
    consult_posts = list(Post.objects.filter(department__in=consulted, rank=Rank.DIRECTOR)
                         .select_related("holder").order_by("department__sort_order"))
    missing = {department.pk for department in consulted} - {post.department_id for post in consult_posts}
    if missing:
        names = "、".join(department.name for department in consulted if department.pk in missing)
        raise Refused(_("合議先（%(names)s）の課長の職位が登録されていません。") % {"names": names})
    today = timezone.localdate()
    away = absent_posts([*chain, *consult_posts], today)
    steps: list[PlannedStep] = []
    sequence = 1
    for post in chain[:-1]:
        steps.append(PlannedStep(sequence, StepKind.REVIEW, post, absent=post.pk in away))
        sequence += 1
    if consult_posts:
        steps += [PlannedStep(sequence, StepKind.CONSULT, post, rule.consult_mode, absent=post.pk in away)
                  for post in consult_posts]
        sequence += 1
    steps.append(PlannedStep(sequence, StepKind.DECIDE, chain[-1], absent=chain[-1].pk in away))
    return Route(rule, steps)


# 不在 ---------------------------------------------------------------------------------------------------------

def manageable_posts(staff: Staff) -> list[Post]:
    """The posts whose 不在 `staff` may set: their own, and every post for 情報担当 (the clerk who keeps posts)."""
    from yakuba.kernel.accounts.models import Role

    posts = Post.objects.select_related("holder", "department")
    return list(posts if staff.has_role(Role.ADMIN) else posts.filter(holder=staff))


def add_absence(staff: Staff, post: Post, starts_on: date, ends_on: date, reason: str = "") -> Absence:
    from django.db import transaction

    from yakuba.kernel.audit.services import record as audit

    if post.pk not in {p.pk for p in manageable_posts(staff)}:
        raise Refused({"post": _("この職位の不在は設定できません。")})
    if ends_on < starts_on:
        raise Refused({"ends_on": _("終了日は開始日と同じか、それより後の日にしてください。")})
    with transaction.atomic():
        absence = Absence.objects.create(municipality=staff.municipality, post=post, starts_on=starts_on,
                                         ends_on=ends_on, reason=reason.strip()[:100], created_by=staff.user)
        audit("approvals.absence.added", municipality=staff.municipality, actor=staff.user, obj=absence,
              data={"post": post.pk, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return absence


def remove_absence(staff: Staff, absence: Absence) -> None:
    from django.db import transaction

    from yakuba.kernel.audit.services import record as audit

    if absence.post_id not in {p.pk for p in manageable_posts(staff)}:
        raise Refused(_("この職位の不在は変更できません。"))
    with transaction.atomic():
        audit("approvals.absence.removed", municipality=staff.municipality, actor=staff.user, obj=absence,
              data={"post": absence.post_id})
        absence.delete()
