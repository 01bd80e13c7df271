"""Forms engine cost: validate and render a 100-field definition of mixed types with realistic answers,
against a plain Django ``forms.Form`` of 100 CharFields measured in the same run (the ceiling to compare with).

Run: .venv/bin/python bench/forms_bench.py [runs]   (prints medians in ms; never asserts)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

FIELD_KINDS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "text"}, "下仁田町役場"),
    ({"type": "kana"}, "しもにた たろう"),
    ({"type": "name"}, {"family": "山田", "given": "太郎"}),
    ({"type": "date"}, "令和8年4月1日"),
    ({"type": "postal_code"}, "３７０ー２６０１"),
    ({"type": "address"}, "群馬県甘楽郡下仁田町大字下仁田６８２"),
    ({"type": "phone"}, "０２７４ー８２ー２１１１"),
    ({"type": "email"}, "taro@example.jp"),
    ({"type": "number", "min": 0, "max": 99}, "１２"),
    ({"type": "money"}, "１，０００円"),
    ({"type": "choice", "options": [["a", "はい"], ["b", "いいえ"]]}, "a"),
    ({"type": "multi_choice", "options": [["a", "国保"], ["b", "年金"], ["c", "児童手当"]]}, ["a", "c"]),
    ({"type": "textarea"}, "一行目\n二行目"),
    ({"type": "consent"}, "on"),
]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
    import django

    django.setup()


def median_ms(action: Callable[[], object], runs: int) -> float:
    for _ in range(3):
        action()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def engine_case() -> tuple[Any, dict[str, Any]]:
    from yakuba.kernel.forms.definition import FormDefinition

    fields, answers = [], {}
    for index in range(100):
        spec, answer = FIELD_KINDS[index % len(FIELD_KINDS)]
        name = f"f{index}"
        fields.append({"name": name, "label": f"項目{index}", **spec})
        answers[name] = answer
    pages = [{"title": "申請", "fields": fields}]
    return FormDefinition.from_dict({"title": "ベンチマーク", "version": 1, "pages": pages}), answers


def django_case() -> tuple[type, dict[str, str]]:
    from django import forms

    attrs = {f"f{i}": forms.CharField(label=f"項目{i}", max_length=200) for i in range(100)}
    form_class = type("HundredFields", (forms.Form,), attrs)
    return form_class, {f"f{i}": "下仁田町役場" for i in range(100)}


def main(runs: int) -> None:
    setup()
    from yakuba.kernel.forms.render import render_page
    from yakuba.kernel.forms.validate import validate

    definition, answers = engine_case()
    result = validate(definition, answers)
    if result.errors:
        print(f"warning: the benchmark's answers do not validate: {result.errors}")
    form_class, data = django_case()
    bound = form_class(data)
    bound.is_valid()  # both renders draw an already-validated form

    engine_validate = median_ms(lambda: validate(definition, answers), runs)
    engine_render = median_ms(lambda: render_page(definition, answers, result.errors), runs)
    django_validate = median_ms(lambda: form_class(data).is_valid(), runs)
    django_render = median_ms(lambda: str(bound), runs)

    print(f"100 fields, median of {runs} runs (ms)")
    print(f"  validate   engine {engine_validate:7.2f}   django.forms {django_validate:7.2f}"
          f"   ratio {engine_validate / django_validate:5.2f}x")
    print(f"  render     engine {engine_render:7.2f}   django.forms {django_render:7.2f}"
          f"   ratio {engine_render / django_render:5.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
