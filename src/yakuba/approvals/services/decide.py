"""回議 and 決裁: send a draft on its route, approve, send back to a chosen step, pull back, 代決 while the 決裁権者 is
不在 (with its 後閲), and the final 決裁: the 文書番号 and the kept Record in the same transaction, the signed PDF
after.

Every verb locks the draft's row first, so two actions on one draft queue; a step's decision is also unique in the
database (Action), so two approvals of one step from two tabs or two people cannot both count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yakuba.kernel.accounts.models import Department, Staff
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.numbering.services import take
from yakuba.kernel.refusal import Refused
from yakuba.kernel.scheduling.fiscal import fiscal_year
from yakuba.kernel.tenancy.models import Municipality
from yakuba.kernel.ui.richtext import plain_text

from ..models import (
    Action,
    ActionKind,
    DocumentKind,
    Draft,
    DraftStatus,
    LateReview,
    Post,
    Record,
    Step,
    StepKind,
    StepState,
)
from . import routes
from .drafts import refuse_unless_editable
from .filing import file_record

LIVE = (StepState.PENDING, StepState.APPROVED, StepState.SKIPPED)
DEFAULT_NUMBER_FORMAT = "{prefix}{department}第{n}号"


# 文書番号 -------------------------------------------------------------------------------------------------------

def _options(municipality: Municipality) -> dict[str, object]:
    raw = (municipality.settings or {}).get("approvals") or {}
    return raw if isinstance(raw, dict) else {}


def department_short(department: Department) -> str:
    """The 課's short name in numbers, from the town's setting `approvals.department_short` ({"総務課": "総務"});
    else its first character (総務課 → 総), or, when another 課 of the town starts with the same character
    (住民課, 住民福祉課), its name without 課, so that two 課 never write the same number."""
    shorts = _options(department.municipality).get("department_short") or {}
    short = shorts.get(department.name) if isinstance(shorts, dict) else None
    if short:
        return str(short)
    first = department.name[:1]
    clash = Department.objects.filter(municipality_id=department.municipality_id, name__startswith=first).exclude(
        pk=department.pk).exists()
    return department.name.removesuffix("課") if clash else first


def format_number(department: Department, n: int, fiscal: int, *, short: str | None = None) -> str:
    """A 文書番号 in the town's format (setting `approvals.number_format`, default 「{prefix}{department}第{n}号」:
    下総第123号); `{prefix}` is `approvals.number_prefix` or the town name's first character, `{year}` the 年度."""
    options = _options(department.municipality)
    template = str(options.get("number_format") or DEFAULT_NUMBER_FORMAT)
    prefix = str(options.get("number_prefix") or department.municipality.name[:1])
    short = short if short is not None else department_short(department)
    try:
        return template.format(prefix=prefix, department=short, n=n, year=fiscal)
    except (KeyError, IndexError, ValueError):
        return DEFAULT_NUMBER_FORMAT.format(prefix=prefix, department=short, n=n)


def series(department: Department) -> str:
    return f"approvals.draft.{department.pk}"


# Reading the route --------------------------------------------------------------------------------------------

def live_steps(draft: Draft) -> QuerySet[Step]:
    return draft.steps.filter(state__in=LIVE).select_related("post__holder")


def current_steps(draft: Draft) -> list[Step]:
    if draft.status != DraftStatus.CIRCULATING or draft.current_sequence is None:
        return []
    return list(live_steps(draft).filter(sequence=draft.current_sequence))


def waiting_for(staff: Staff) -> QuerySet[Step]:
    """The steps that wait for `staff` now: pending, of a circulating draft, at its acting sequence, in a post they
    hold."""
    return (Step.objects.filter(state=StepState.PENDING, post__holder=staff,
                                draft__status=DraftStatus.CIRCULATING,
                                draft__current_sequence=F("sequence"))
            .select_related("draft__department", "draft__drafter", "post"))


def waiting_count(staff: Staff) -> int:
    """How many steps wait for `staff` now, in one count (the staff header shows it on every page; 代決 that
    `staff` could make are on the 決裁待ち page, which works out who is 不在)."""
    return Step.objects.filter(state=StepState.PENDING, post__holder=staff, draft__status=DraftStatus.CIRCULATING,
                               draft__current_sequence=F("sequence")).count()


def deputising_for(staff: Staff) -> list[Step]:
    """Pending 決裁 steps `staff` may decide today by 代決: the 決裁権者 is 不在 and `staff` holds the first present
    post of its 代決 order; never for 重要・異例 matters."""
    today = timezone.localdate()
    mine = set(Post.objects.filter(holder=staff).values_list("pk", flat=True))
    if not mine:
        return []
    candidates = (Step.objects.filter(state=StepState.PENDING, kind=StepKind.DECIDE,
                                      draft__status=DraftStatus.CIRCULATING, draft__important=False,
                                      draft__current_sequence=F("sequence"),
                                      post__deputies__deputy__in=mine)
                  .select_related("draft__department", "draft__drafter", "post__holder").distinct())
    found = []
    for step in candidates:
        if routes.is_absent(step.post, today):
            deputy = routes.deputy_for(step.post, today)
            if deputy is not None and deputy.pk in mine and not _rule_important(step.draft):
                found.append(step)
    return found


def late_reviews_for(staff: Staff) -> QuerySet[LateReview]:
    return LateReview.objects.filter(post__holder=staff, done_at__isnull=True).select_related("draft", "post")


# Verbs -------------------------------------------------------------------------------------------------------

def _lock(draft: Draft) -> Draft:
    # of=("self",): lock the draft's row only. A plain FOR UPDATE over the join would also lock the 課, the town and
    # the 分類, and every decision of the town would queue behind the one holding them until it commits.
    return Draft.objects.select_for_update(of=("self",)).select_related(
        "department__municipality", "document_class").get(pk=draft.pk)


def _act(draft: Draft, staff: Staff, kind: str, *, step: Step | None = None, comment: str = "") -> None:
    # No savepoint of its own: every verb runs in its own atomic block (a savepoint when nested), and a refusal
    # leaves it at once, so the failed insert is rolled back with the verb and nothing runs after it.
    try:
        Action.objects.create(municipality_id=draft.municipality_id, draft=draft, step=step, kind=kind,
                              actor=staff, comment=comment)
    except IntegrityError as error:
        raise Refused(_("この段階はすでに処理されています。画面を更新して確認してください。")) from error
    audit(f"approvals.draft.{kind}", municipality=draft.department.municipality, actor=staff.user, obj=draft,
          data={"step": step.pk if step else None, "comment": comment[:200]})


def _refuse_unless_circulating(draft: Draft) -> None:
    if draft.status == DraftStatus.DECIDED:
        raise Refused(_("この起案はすでに決裁されています。"))
    if draft.status != DraftStatus.CIRCULATING:
        raise Refused(_("この起案は回議中ではありません（%(status)s）。") % {"status": draft.get_status_display()})


def _my_current_step(draft: Draft, staff: Staff, current: list[Step] | None = None) -> Step:
    """The acting step `staff` holds (among `current`, the acting group when the caller has it), or a refusal
    saying why they cannot act."""
    _refuse_unless_circulating(draft)
    current = current_steps(draft) if current is None else current
    mine = [step for step in current if step.post.holder_id == staff.pk and step.state == StepState.PENDING]
    if mine:
        return mine[0]
    if live_steps(draft).filter(post__holder=staff).exists():
        names = "、".join(step.post.title for step in current if step.state == StepState.PENDING)
        raise Refused(_("いまはあなたの順番ではありません（処理中: %(names)s）。") % {"names": names})
    raise Refused(_("あなたはこの起案の回議先ではありません。"))


def _start_at(draft: Draft, sequence: int) -> None:
    draft.current_sequence = sequence
    now = timezone.now()
    arrived = list(live_steps(draft).filter(sequence=sequence, state=StepState.PENDING))
    Step.objects.filter(pk__in=[step.pk for step in arrived]).update(arrived_at=now, reminded_at=None)
    from .. import tasks_decide

    ids = [step.pk for step in arrived]

    def notify() -> None:
        for pk in ids:
            tasks_decide.notify_waiting.enqueue(pk)

    transaction.on_commit(notify)


def send(staff: Staff, draft: Draft) -> Draft:
    """起案: build the route from the rules and hand the draft to its first step."""
    with transaction.atomic():
        draft = _lock(draft)
        if draft.drafter_id != staff.pk:
            raise Refused(_("起案者だけが回議に回せます。"))
        refuse_unless_editable(draft)
        if not plain_text(draft.body):
            raise Refused({"body": _("本文を入力してください。")})
        route = routes.build_route(_matter_of(draft))
        vacant = [step.post.title for step in route.steps if step.post.holder_id is None
                  and step.kind != StepKind.DECIDE]
        if vacant:
            raise Refused(_("%(posts)s に在職者がいないため回議できません。") % {"posts": "、".join(vacant)})
        draft.steps.filter(state__in=LIVE).update(state=StepState.SUPERSEDED)
        Step.objects.bulk_create([
            Step(municipality_id=draft.municipality_id, draft=draft, sequence=planned.sequence, kind=planned.kind,
                 mode=planned.mode, post=planned.post) for planned in route.steps])
        draft.status = DraftStatus.CIRCULATING
        draft.important = draft.important or route.important
        draft.sent_at = draft.sent_at or timezone.now()
        _start_at(draft, route.steps[0].sequence)
        draft.save(update_fields=["status", "important", "sent_at", "current_sequence"])
        _act(draft, staff, ActionKind.SENT)
    return draft


def _matter_of(draft: Draft) -> routes.Matterish:
    return routes.Matterish(department=draft.department, drafter=draft.drafter, matter=draft.matter,
                            document_class=draft.document_class, amount=draft.amount, important=draft.important)


def _rule_important(draft: Draft) -> bool:
    if draft.important:
        return True
    try:
        return routes.rule_for(_matter_of(draft)).important
    except Refused:
        return False


def _decide_step(draft: Draft, step: Step, staff: Staff, *, state: str, comment: str, deputy: bool = False) -> None:
    changed = Step.objects.filter(pk=step.pk, state=StepState.PENDING).update(
        state=state, decided_by=staff, decided_at=timezone.now(), comment=comment, by_deputy=deputy)
    if not changed:
        raise Refused(_("この段階はすでに処理されています。画面を更新して確認してください。"))
    step.state = state  # the caller's copy, for _advance (the draft is locked: no one else changes its steps)


def approve(staff: Staff, draft: Draft, comment: str = "") -> Draft:
    """承認 of the acting step `staff` holds; the last one is the 決裁."""
    with transaction.atomic():
        draft = _lock(draft)
        group = current_steps(draft)
        step = _my_current_step(draft, staff, group)
        _decide_step(draft, step, staff, state=StepState.APPROVED, comment=comment)
        _act(draft, staff, ActionKind.APPROVED, step=step, comment=comment)
        _advance(draft, staff, group)
    return draft


def approve_many(staff: Staff, drafts: Iterable[Draft]) -> list[Draft]:
    """一括承認 of routine items: each as `approve`, all or none (a refusal names the draft)."""
    done = []
    with transaction.atomic():
        for draft in drafts:
            if _rule_important(draft):
                raise Refused(_("「%(title)s」は重要・異例の事案のため、一括では承認できません。"
                                "開いて承認してください。")
                              % {"title": draft.title})
            try:
                done.append(approve(staff, draft))
            except Refused as refusal:
                raise Refused(f"「{draft.title}」: {refusal.message}") from refusal
    return done


def _advance(draft: Draft, staff: Staff, group: list[Step] | None = None) -> None:
    """After a step decided: close its group (one of an 「いずれか」 合議 is enough), then the next step, or 決裁.
    `group`: the acting steps as the caller read them under the draft's lock, with the decided one's new state."""
    group = current_steps(draft) if group is None else group
    if any(step.mode == "any" and step.state == StepState.APPROVED for step in group):
        Step.objects.filter(pk__in=[step.pk for step in group if step.state == StepState.PENDING]).update(
            state=StepState.SKIPPED)
    elif any(step.state == StepState.PENDING for step in group):
        return  # the rest of an 「全員」 合議 still has to approve
    following = live_steps(draft).filter(state=StepState.PENDING, sequence__gt=draft.current_sequence or 0)
    nxt = following.order_by("sequence").values_list("sequence", flat=True).first()
    if nxt is not None:
        _start_at(draft, nxt)
        draft.save(update_fields=["current_sequence"])
        return
    _decide(draft, staff)


def _decide(draft: Draft, staff: Staff) -> None:
    """決裁: the kept Record and the 文書番号 (gapless per 課 and 年度, in this transaction); the signed PDF is
    rendered by a task after commit and fills the Record's file.

    The number is taken last: its counter row stays locked from `take` to the commit, so everything else is
    written before it and the decisions of one 課 queue only for the number itself."""
    now = timezone.now()
    day = timezone.localdate(now)
    fiscal = fiscal_year(day)
    short = department_short(draft.department)
    record = file_record(kind=DocumentKind.DECIDED, title=draft.title, department=draft.department,
                         document_class=draft.document_class, dated=day, actor=staff.user,
                         text=f"{draft.title}\n{plain_text(draft.body)}")
    _act(draft, staff, ActionKind.DECIDED)
    n = take(draft.department.municipality, series(draft.department), fiscal)
    number = format_number(draft.department, n, fiscal, short=short)
    Record.objects.filter(pk=record.pk).update(number=number)
    record.number = number
    draft.status, draft.number, draft.decided_at, draft.current_sequence = DraftStatus.DECIDED, number, now, None
    draft.record = record
    draft.save(update_fields=["status", "number", "decided_at", "current_sequence", "record"])
    audit("approvals.draft.numbered", municipality=draft.department.municipality, actor=staff.user, obj=draft,
          data={"number": number, "record": record.pk})
    from .. import tasks_decide

    pk = draft.pk
    transaction.on_commit(lambda: tasks_decide.render_decided.enqueue(pk))


def send_back(staff: Staff, draft: Draft, *, to_sequence: int, comment: str) -> Draft:
    """差し戻し: back to the drafter (0) or to an earlier step, which acts again; the comment says why."""
    if not comment.strip():
        raise Refused({"comment": _("差し戻す理由を入力してください。")})
    with transaction.atomic():
        draft = _lock(draft)
        step = _my_current_step(draft, staff)
        earlier = set(live_steps(draft).filter(sequence__lt=step.sequence).values_list("sequence", flat=True))
        if to_sequence != 0 and to_sequence not in earlier:
            raise Refused({"to_sequence": _("差し戻し先を選び直してください。")})
        _decide_step(draft, step, staff, state=StepState.RETURNED, comment=comment)
        _act(draft, staff, ActionKind.RETURNED, step=step, comment=comment)
        if to_sequence == 0:
            draft.steps.filter(state__in=LIVE).update(state=StepState.SUPERSEDED)
            draft.status, draft.current_sequence = DraftStatus.RETURNED, None
            draft.save(update_fields=["status", "current_sequence"])
            from .. import tasks_decide

            pk = draft.pk
            transaction.on_commit(lambda: tasks_decide.notify_returned.enqueue(pk))
            return draft
        again = list(draft.steps.filter(Q(state__in=LIVE) | Q(pk=step.pk), sequence__gte=to_sequence))
        draft.steps.filter(pk__in=[s.pk for s in again], state__in=LIVE).update(state=StepState.SUPERSEDED)
        Step.objects.bulk_create([
            Step(municipality_id=draft.municipality_id, draft=draft, sequence=s.sequence, kind=s.kind, mode=s.mode,
                 post=s.post) for s in again])
        _start_at(draft, to_sequence)
        draft.save(update_fields=["current_sequence"])
    return draft


def pull_back(staff: Staff, draft: Draft) -> Draft:
    """引き上げ: the drafter takes the draft back, only while no step has acted on it."""
    with transaction.atomic():
        draft = _lock(draft)
        if draft.drafter_id != staff.pk:
            raise Refused(_("起案者だけが引き上げできます。"))
        _refuse_unless_circulating(draft)
        acted = live_steps(draft).exclude(state=StepState.PENDING).first()
        if acted is not None:
            raise Refused(_("%(post)sがすでに処理したため引き上げできません。差し戻しを依頼してください。")
                          % {"post": acted.post.title})
        draft.steps.filter(state__in=LIVE).update(state=StepState.SUPERSEDED)
        draft.status, draft.current_sequence = DraftStatus.DRAFT, None
        draft.save(update_fields=["status", "current_sequence"])
        _act(draft, staff, ActionKind.PULLED_BACK)
    return draft


def decide_as_deputy(staff: Staff, draft: Draft, comment: str = "") -> Draft:
    """代決: while the 決裁権者 is 不在 today, the first present post of its 代決 order decides; never for 重要・異例.
    The 決裁権者 gets a 後閲."""
    with transaction.atomic():
        draft = _lock(draft)
        _refuse_unless_circulating(draft)
        step = next((s for s in current_steps(draft) if s.kind == StepKind.DECIDE and s.state == StepState.PENDING),
                    None)
        if step is None:
            raise Refused(_("代決できるのは決裁権者の段階だけです。"))
        if _rule_important(draft):
            raise Refused(_("重要・異例の事案は代決できません。決裁権者の決裁を待ってください。"))
        today = timezone.localdate()
        if not routes.is_absent(step.post, today):
            raise Refused(_("決裁権者（%(post)s）は不在ではないため、代決できません。") % {"post": step.post.title})
        deputy = routes.deputy_for(step.post, today)
        if deputy is None or deputy.holder_id != staff.pk:
            who = deputy.title if deputy is not None else _("（代決できる職位がありません）")
            raise Refused(_("この起案を代決できるのは代決順位の%(who)sです。") % {"who": who})
        _decide_step(draft, step, staff, state=StepState.APPROVED, comment=comment, deputy=True)
        _act(draft, staff, ActionKind.DEPUTY, step=step, comment=comment)
        LateReview.objects.create(municipality_id=draft.municipality_id, draft=draft, post=step.post)
        _advance(draft, staff)
    return draft


def finish_late_review(staff: Staff, draft: Draft) -> LateReview:
    """後閲 done: the 決裁権者 has read what was decided for them."""
    with transaction.atomic():
        review = LateReview.objects.select_for_update(of=("self",)).select_related("post").filter(draft=draft).first()
        if review is None:
            raise Refused(_("この起案に後閲はありません。"))
        if review.done_at is not None:
            raise Refused(_("後閲はすでに済んでいます。"))
        if review.post.holder_id != staff.pk:
            raise Refused(_("後閲できるのは%(post)sです。") % {"post": review.post.title})
        review.done_by, review.done_at = staff, timezone.now()
        review.save(update_fields=["done_by", "done_at"])
        _act(draft, staff, ActionKind.REVIEWED)
    return review


@dataclass(frozen=True)
class Allowed:
    """What `staff` may do with a draft now (for the page's buttons; the verbs check again)."""

    edit: bool = False
    send: bool = False
    pull_back: bool = False
    approve: bool = False
    deputy: bool = False
    review: bool = False


def allowed(staff: Staff, draft: Draft) -> Allowed:
    mine = draft.drafter_id == staff.pk
    editable = draft.status in (DraftStatus.DRAFT, DraftStatus.RETURNED)
    current = current_steps(draft)
    approve_ = any(s.post.holder_id == staff.pk and s.state == StepState.PENDING for s in current)
    deputy = any(s.pk == step.pk for step in deputising_for(staff) for s in current) if current else False
    review = LateReview.objects.filter(draft=draft, done_at__isnull=True, post__holder=staff).exists()
    pull = mine and draft.status == DraftStatus.CIRCULATING and not live_steps(draft).exclude(
        state=StepState.PENDING).exists()
    return Allowed(edit=mine and editable, send=mine and editable, pull_back=pull, approve=approve_,
                   deputy=deputy, review=review)


def visible_drafts(staff: Staff) -> QuerySet[Draft]:
    """The drafts `staff` may open: their 課's, those on a route through a post they hold (or may 代決 for), and
    every draft for 情報担当."""
    from yakuba.kernel.accounts.models import Role

    drafts = Draft.objects.select_related("department", "drafter", "document_class", "record")
    if staff.has_role(Role.ADMIN):
        return drafts
    posts = list(Post.objects.filter(holder=staff).values_list("pk", flat=True))
    on_route = Q(steps__post__in=posts) | Q(steps__post__deputies__deputy__in=posts) | Q(
        late_review__post__in=posts)
    ids = Draft.objects.filter(Q(department=staff.department_id) | Q(drafter=staff) | on_route).values("pk")
    return drafts.filter(pk__in=ids)
