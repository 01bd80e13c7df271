"""収納: the day's payments and refunds per 歳入科目 for 会計課, reconciled against the provider's settlement report.

Reconciling matches each line of the provider's report to our record by the provider's ids: a payment line to our
payment (amounts equal; the provider's fee is listed as a known difference, 手数料), a refund line to our refund.
Whatever is left on either side is listed with its reason: paid on another day on the other side (timing), a
refund we have not recorded, or a line that is not ours at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel import payments as kernel
from yakuba.kernel.tenancy.models import Municipality

from .models import Payment, Provider, Refund, RefundStatus, Status
from .providers import SettlementLine

FEE, REFUND, TIMING, AMOUNT, UNKNOWN = "fee", "refund", "timing", "amount", "unknown"


def reason_label(reason: str) -> str:
    return {FEE: _("決済手数料"), REFUND: _("還付"), TIMING: _("計上日のずれ"), AMOUNT: _("金額の不一致"),
            UNKNOWN: _("記録にない取引")}.get(reason, reason)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class Line:
    """One of our records of the day, as the provider would list it."""

    kind: str  # "payment" or "refund"
    provider_id: str
    refund_id: str
    reference: str
    revenue_code: str
    method: str
    amount: int  # refunds negative
    at_counter: bool


@dataclass
class RevenueRow:
    code: str
    label: str
    count: int = 0
    received: int = 0
    refunded: int = 0
    cash: int = 0  # taken at the counter

    @property
    def net(self) -> int:
        return self.received - self.refunded

    @property
    def cashless(self) -> int:
        return self.received - self.cash


def our_lines(municipality: Municipality, day: date, *, last_day: date | None = None) -> list[Line]:
    """Our payments received and refunds paid on `day` (through `last_day`, for a month)."""
    start, end = day_bounds(day)[0], day_bounds(last_day or day)[1]
    payments = Payment.objects.filter(municipality=municipality, status=Status.SUCCESS, paid_at__gte=start,
                                      paid_at__lt=end).order_by("paid_at", "pk").only(
        "provider_id", "reference", "revenue_code", "method", "amount", "provider")
    refunds = (Refund.objects.filter(municipality=municipality, status=RefundStatus.SUCCESS, finished_at__gte=start,
                                     finished_at__lt=end).select_related("payment").order_by("finished_at", "pk"))
    lines = [Line("payment", p.provider_id, "", p.reference, p.revenue_code, p.method, p.amount,
                  p.provider == Provider.COUNTER) for p in payments]
    lines += [Line("refund", r.payment.provider_id, r.provider_refund_id, r.payment.reference, r.payment.revenue_code,
                   r.payment.method, -r.amount, r.payment.provider == Provider.COUNTER) for r in refunds]
    return lines


def revenue_rows(lines: Iterable[Line]) -> list[RevenueRow]:
    labels = {code: str(label) for code, label in kernel.revenue_codes()}
    rows: dict[str, RevenueRow] = {}
    for line in lines:
        row = rows.setdefault(line.revenue_code, RevenueRow(line.revenue_code, labels.get(line.revenue_code, "")))
        if line.kind == "payment":
            row.count += 1
            row.received += line.amount
            if line.at_counter:
                row.cash += line.amount
        else:
            row.refunded += -line.amount
    return [rows[code] for code in sorted(rows)]


@dataclass(frozen=True)
class Difference:
    reason: str
    kind: str
    provider_id: str
    reference: str
    ours: int | None
    theirs: int | None
    note: str = ""

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)


@dataclass
class Reconciliation:
    matched: int = 0
    unmatched: int = 0  # lines on one side only, or with different amounts
    fees: int = 0  # what the provider kept on matched payments
    differences: list[Difference] = field(default_factory=list)
    ours_total: int = 0
    theirs_total: int = 0


def reconcile(ours: Iterable[Line], theirs: Iterable[SettlementLine], *,
              elsewhere: set[str] | None = None) -> Reconciliation:
    """Match the provider's lines to ours. `elsewhere`: provider ids of our payments recorded on another day, so a
    provider line for them is a timing difference, not an unknown one."""
    result = Reconciliation()
    payments: dict[str, Line] = {}
    refunds: dict[str, Line] = {}
    for line in ours:
        if line.at_counter:
            continue  # cash is counted at the counter, not by the provider
        (payments if line.kind == "payment" else refunds)[line.provider_id if line.kind == "payment"
                                                          else line.refund_id] = line
        result.ours_total += line.amount
    for their in theirs:
        result.theirs_total += their.amount
        mine = payments.pop(their.provider_id, None) if their.kind == "payment" else refunds.pop(their.refund_id,
                                                                                                  None)
        if mine is None:
            reason = TIMING if elsewhere and their.provider_id in elsewhere else (
                REFUND if their.kind == "refund" else UNKNOWN)
            result.unmatched += 1
            result.differences.append(Difference(reason, their.kind, their.provider_id, their.reference, None,
                                                 their.amount))
            continue
        if mine.amount != their.amount:
            result.unmatched += 1
            result.differences.append(Difference(AMOUNT, their.kind, their.provider_id, their.reference, mine.amount,
                                                 their.amount))
            continue
        result.matched += 1
        if their.fee:
            result.fees += their.fee
            result.differences.append(Difference(FEE, their.kind, their.provider_id, their.reference, mine.amount,
                                                 their.amount - their.fee, note=_("入金額は手数料を引いた額です")))
    for left in (*payments.values(), *refunds.values()):
        result.unmatched += 1
        result.differences.append(Difference(TIMING if left.kind == "payment" else REFUND, left.kind,
                                             left.provider_id, left.reference, left.amount, None,
                                             note=_("決済事業者の報告にまだありません")))
    return result


def paid_elsewhere(municipality: Municipality, provider_ids: Iterable[str], day: date) -> set[str]:
    ids = [i for i in provider_ids if i]
    if not ids:
        return set()
    start, end = day_bounds(day)
    return set(Payment.objects.filter(municipality=municipality, provider_id__in=ids)
               .filter(Q(paid_at__lt=start) | Q(paid_at__gte=end)).values_list("provider_id", flat=True))


REPORT_COLUMNS = (gettext_lazy("歳入科目"), gettext_lazy("科目名"), gettext_lazy("件数"), gettext_lazy("収納額"),
                  gettext_lazy("うち窓口（現金等）"), gettext_lazy("うちキャッシュレス"), gettext_lazy("還付額"),
                  gettext_lazy("差引"))


def report_table(rows: list[RevenueRow]) -> list[list[object]]:
    table: list[list[object]] = [[str(column) for column in REPORT_COLUMNS]]
    table += [[r.code, r.label, r.count, r.received, r.cash, r.cashless, r.refunded, r.net] for r in rows]
    table.append([_("合計"), "", sum(r.count for r in rows), sum(r.received for r in rows),
                  sum(r.cash for r in rows), sum(r.cashless for r in rows), sum(r.refunded for r in rows),
                  sum(r.net for r in rows)])
    return table


def by_code(lines: Iterable[Line]) -> dict[str, list[Line]]:
    grouped: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        grouped[line.revenue_code].append(line)
    return grouped
