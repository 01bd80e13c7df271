"""The 手数料 section of a procedure's editor page: its inputs read into a fee schedule (fees.py) and back.

Fields of a repeated group (くり返し入力) are offered as "group.item"; a schedule reading them gets "group".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yakuba.kernel.forms.definition import CHOICE_TYPES

from . import fees
from .editor import EditorError

KINDS = [
    ("", gettext_lazy("設定しない（金額は職員がお知らせします）")),
    ("free", gettext_lazy("無料")),
    ("fixed", gettext_lazy("1件あたり定額")),
    ("unit", gettext_lazy("数に応じて（1つあたりの額 × 数の質問の答え）")),
    ("choice", gettext_lazy("選択肢に応じて（選んだ選択肢ごとの額）")),
]
MAX_YEN = 10_000_000
_LINE = re.compile(r"^(.+?)\s*[:：]\s*([0-9０-９,，]+)\s*円?$")


@dataclass(frozen=True)
class Question:
    """A question a fee can read: its key ("count" or "items.quantity"), label and options."""

    key: str
    label: str
    kind: str
    options: tuple[tuple[str, str], ...] = ()


def questions(definitions: list[dict[str, Any]]) -> dict[str, Question]:
    """The number and choice questions of these form definitions (the current form and the draft; the later wins)."""
    found: dict[str, Question] = {}
    for definition in definitions:
        for page in definition.get("pages", []):
            for item in page.get("fields", []):
                _add(found, item, "", "")
                for inner in item.get("fields", []) if item.get("type") == "group" else []:
                    _add(found, inner, f"{item['name']}.", f"{item.get('label', '')} › ")
    return found


def _add(found: dict[str, Question], item: dict[str, Any], prefix: str, label_prefix: str) -> None:
    if item.get("type") in ("number", *CHOICE_TYPES):
        found[prefix + item["name"]] = Question(
            prefix + item["name"], label_prefix + str(item.get("label", "")), item["type"],
            tuple((str(value), str(label)) for value, label in item.get("options", [])))


def labels(known: dict[str, Question]) -> dict[str, str]:
    """What fees.describe reads: each question's label, and "key=value" for each option's."""
    found = {key: question.label.rpartition(" › ")[2] for key, question in known.items()}
    for key, question in known.items():
        found |= {f"{key}={value}": label for value, label in question.options}
    return found


def initial(schedule: dict[str, Any], known: dict[str, Question]) -> dict[str, Any]:
    """The section's inputs showing `schedule`."""
    if not schedule:
        return {"fee_kind": ""}
    group = f"{schedule['group']}." if isinstance(schedule.get("group"), str) else ""
    values: dict[str, Any] = {
        "fee_postage": schedule.get("postage"), "fee_online": fees.payable_online(schedule),
        "fee_tickets": bool(schedule.get("tickets")), "fee_revenue": schedule.get("revenue", ""),
        "fee_per": group + schedule["per"] if "per" in schedule else "",
    }
    if "choice" in schedule:
        key = group + schedule["choice"]
        labels = dict(known[key].options) if key in known else {}
        order = list(labels)  # in the form's order (PostgreSQL's jsonb keeps no order of keys)
        prices = sorted(schedule["yen"].items(), key=lambda pair: (
            order.index(pair[0]) if pair[0] in order else len(order), pair[0]))
        values |= {"fee_kind": "choice", "fee_choice": key, "fee_prices": "\n".join(
            f"{labels.get(value, value)}:{yen}" for value, yen in prices)}
    else:
        kind = "unit" if "per" in schedule else "free" if schedule.get("yen") == 0 else "fixed"
        values |= {"fee_kind": kind, "fee_yen": schedule.get("yen")}
    return values


def schedule(data: dict[str, Any], known: dict[str, Question]) -> dict[str, Any]:
    """The fee schedule the section's cleaned inputs say; EditorError naming the input at fault otherwise."""
    kind = data.get("fee_kind") or ""
    postage, online, tickets = data.get("fee_postage"), bool(data.get("fee_online")), bool(data.get("fee_tickets"))
    if not kind:
        if postage is not None or online or tickets:
            raise EditorError(_("郵送料やオンラインでの支払いを設定するときは、手数料の決め方を選んでください。"),
                              field="fee_kind")
        return {}
    if kind == "free":
        result: dict[str, Any] = {"yen": 0}
    elif kind == "choice":
        result = _per_choice(data, known)
    else:
        if data.get("fee_yen") is None:
            raise EditorError(_("金額を入力してください。"), field="fee_yen")
        result = {"yen": data["fee_yen"]}
        if kind == "unit":
            if not data.get("fee_per"):
                raise EditorError(_("数に応じた手数料には、掛ける数の質問を選んでください。"), field="fee_per")
            result |= _split({"per": data["fee_per"]}, field="fee_per")
    result |= _payment(postage, online=online, tickets=tickets)
    if data.get("fee_revenue"):
        result["revenue"] = data["fee_revenue"]
    try:
        fees.check_schedule(result)
    except fees.ScheduleError as error:
        raise EditorError(_("手数料の設定が正しくありません（%(detail)s）。") % {"detail": error}) from error
    return result


def _payment(postage: int | None, *, online: bool, tickets: bool) -> dict[str, Any]:
    """郵送料, whether it is paid online, and 処理券."""
    result: dict[str, Any] = {} if postage is None else {"postage": postage}
    if online:
        result["online"] = True
    elif postage is not None:
        result["online"] = False  # a postal request paid by 定額小為替, as its staff choose
    if tickets:
        if not online:
            raise EditorError(_("処理券を発行するには、「オンラインで支払える」も選んでください。"),
                              field="fee_tickets")
        result["tickets"] = True
    return result


def _per_choice(data: dict[str, Any], known: dict[str, Question]) -> dict[str, Any]:
    key = data.get("fee_choice") or ""
    question = known.get(key)
    if question is None or question.kind not in CHOICE_TYPES:
        raise EditorError(_("金額を決める選択肢の質問を選んでください。"), field="fee_choice")
    by_label = {label: value for value, label in question.options}
    values = {value for value, _label in question.options}
    prices: dict[str, int] = {}
    for line in str(data.get("fee_prices") or "").splitlines():
        if not line.strip():
            continue
        match = _LINE.match(line.strip())
        if match is None:
            raise EditorError(_("「%(line)s」: 1行に1つ「選択肢:金額」の形で入力してください。例: 自転車:500")
                              % {"line": line.strip()[:40]}, field="fee_prices")
        name, digits = match[1].strip(), match[2].translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        value = name if name in values else by_label.get(name)
        if value is None:
            raise EditorError(_("「%(option)s」は「%(field)s」の選択肢にありません。")
                              % {"option": name, "field": question.label}, field="fee_prices")
        if value in prices:
            raise EditorError(_("「%(option)s」の金額が2回入力されています。") % {"option": name}, field="fee_prices")
        yen = int(re.sub(r"[,，]", "", digits))
        if yen > MAX_YEN:
            raise EditorError(_("金額は%(n)s円以下にしてください。") % {"n": f"{MAX_YEN:,}"}, field="fee_prices")
        prices[value] = yen
    if not prices:
        raise EditorError(_("選択肢ごとの金額を1つ以上入力してください。例: 自転車:500"), field="fee_prices")
    result = _split({"choice": key}, field="fee_choice") | {"yen": prices}
    if data.get("fee_per"):
        per = _split({"per": data["fee_per"]}, field="fee_per")
        if per.get("group") != result.get("group"):
            raise EditorError(_("掛ける数の質問は、選択肢の質問と同じくり返し入力の中から選んでください。"),
                              field="fee_per")
        result |= per
    return result


def _split(named: dict[str, str], *, field: str) -> dict[str, str]:
    """{"per": "items.quantity"} as {"group": "items", "per": "quantity"}."""
    (key, value), = named.items()
    group, dot, name = value.partition(".")
    if not dot:
        return {key: value}
    if not name:
        raise EditorError(_("質問を選び直してください。"), field=field)
    return {"group": group, key: name}
