"""Benchmark: the PII guard (yakuba.kernel.pii) on a labelled set of Japanese snippets.

Run with ``.venv/bin/python bench/assistant_pii_bench.py [data.json]``. Prints figures, asserts nothing.

The set (bench/data/pii_snippets.json) was written by hand for this benchmark: resident inquiries, counter and
phone memos, meeting notes, application fields, FAQ and notice text, statute text, and numbers that look like
personal data but are not (12-digit numbers with an invalid 個人番号 check digit, amounts, dates that are not
birth dates, article numbers). Each snippet lists its spans as {"kind", "text"}; the conventions are:

* name — the person's name without 様・さん・課長…; a written reading (カナ) is a separate span;
* address — from 〒 (when the postal code comes first) or the prefecture/town to the house number, without the
  building; a town or prefecture name alone is not labelled;
* phone — every phone and fax number, a town hall's included (the guard redacts all of them, since it cannot
  tell a public number from a private one), as written;
* birth_date — the date only, without 生まれ/生; dates of eligibility (「…以降に生まれた方」) are not labelled;
* bank_account — the account number; ゆうちょ 記号-番号 written as one string is one span, written apart two;
* my_number, resident_code, email — as written.

Each snippet also says its split: "dev" snippets were written first and the rules were tuned while looking at
their misses; "holdout" snippets were written afterwards and the rules were not changed for them, so the holdout
figures are the honest estimate. Figures are printed for all snippets and per split.

Figures are span-level, per kind and overall (micro): exact (same kind, same start and end) and overlap (same
kind, spans overlap; each labelled span matched at most once). Then snippet-level figures on the snippets without
personal data, the time per snippet, and every miss and false positive (overlap matching).

Last, precision on real public text that holds no personal data, written by others: the demo seed plans
(../shared/seeds/*.txt) and the statute excerpts, questions and choices of the Digital Agency's legal QA set
(../shared/data/lawqa_jp/selection.json), when present beside the checkout. Every finding there is a false
positive (the plans carry no phone numbers or addresses of people); they are counted and listed.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "pii_snippets.json"
SHARED = Path(__file__).resolve().parents[2] / "shared"
KINDS = ("name", "address", "phone", "email", "birth_date", "my_number", "resident_code", "bank_account")

Span = tuple[str, int, int]  # kind, start, end


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")
    import django

    django.setup()


def gold_spans(item: dict[str, Any]) -> list[Span]:
    """The labelled spans with their offsets; a text labelled twice is found at its next occurrence."""
    spans: list[Span] = []
    searched_from: dict[str, int] = {}
    for span in item["spans"]:
        start = item["text"].find(span["text"], searched_from.get(span["text"], 0))
        if start < 0:
            raise ValueError(f"{span['text']!r} is not in {item['text']!r}")
        searched_from[span["text"]] = start + len(span["text"])
        spans.append((span["kind"], start, start + len(span["text"])))
    return spans


def match(gold: list[Span], found: list[Span], *, exact: bool) -> tuple[list[Span], list[Span], list[Span]]:
    """(matched found spans, missed gold spans, false positive found spans), one-to-one."""
    unmatched = list(found)
    missed: list[Span] = []
    hits: list[Span] = []
    for kind, start, end in gold:
        partner = next((span for span in unmatched if span[0] == kind and (
            (span[1], span[2]) == (start, end) if exact else span[1] < end and start < span[2])), None)
        if partner is None:
            missed.append((kind, start, end))
        else:
            unmatched.remove(partner)
            hits.append(partner)
    return hits, missed, unmatched


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def print_table(title: str, counts: dict[str, Counter[str]]) -> None:
    print(f"\n{title}")
    print(f"  {'kind':<14}{'gold':>6}{'found':>7}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}{'F1':>7}")
    total: Counter[str] = Counter()
    for kind in KINDS:
        row = counts.get(kind, Counter())
        total.update(row)
        print_row(kind, row)
    print_row("overall", total)


def print_row(label: str, row: Counter[str]) -> None:
    precision, recall, f1 = prf(row["tp"], row["fp"], row["fn"])
    print(f"  {label:<14}{row['tp'] + row['fn']:>6}{row['tp'] + row['fp']:>7}{row['tp']:>5}{row['fp']:>5}"
          f"{row['fn']:>5}{precision:>11.3f}{recall:>8.3f}{f1:>7.3f}")


def tally(counts: dict[str, Counter[str]], hits: list[Span], missed: list[Span], extra: list[Span]) -> None:
    for key, spans in (("tp", hits), ("fn", missed), ("fp", extra)):
        for span in spans:
            counts.setdefault(span[0], Counter())[key] += 1


def evaluate(items: list[dict[str, Any]], title: str, *, details: bool) -> None:
    from yakuba.kernel import pii

    exact: dict[str, Counter[str]] = {}
    overlap: dict[str, Counter[str]] = {}
    problems: list[str] = []
    timings: list[float] = []
    clean = flagged_clean = 0
    for item in items:
        gold = gold_spans(item)
        started = time.perf_counter()
        found = [(f.kind, f.start, f.end) for f in pii.find(item["text"])]
        timings.append((time.perf_counter() - started) * 1000)
        tally(exact, *match(gold, found, exact=True))
        hits, missed, extra = match(gold, found, exact=False)
        tally(overlap, hits, missed, extra)
        if not gold:
            clean += 1
            flagged_clean += bool(found)
        text = item["text"]
        problems += [f"  miss  {k:<13} {text[s:e]!r:<28} in {text!r}" for k, s, e in missed]
        problems += [f"  false {k:<13} {text[s:e]!r:<28} in {text!r}" for k, s, e in extra]

    spans = sum(len(item["spans"]) for item in items)
    print(f"\n==== {title}: {len(items)} snippets ({clean} without personal data), {spans} labelled spans")
    print_table("span-level, exact match (kind, start, end)", exact)
    print_table("span-level, overlap match (kind, overlapping spans)", overlap)
    print(f"\nsnippets without personal data flagged anyway: {flagged_clean} of {clean}")
    print(f"time per snippet: median {statistics.median(timings):.2f} ms, max {max(timings):.2f} ms, "
          f"total {sum(timings):.0f} ms")
    if details:
        print(f"\nmisses and false positives (overlap matching): {len(problems)}")
        print("\n".join(problems) if problems else "  none")


def public_texts() -> list[tuple[str, str]]:
    texts = [(path.name, path.read_text(encoding="utf-8")) for path in sorted((SHARED / "seeds").glob("*.txt"))]
    lawqa = SHARED / "data" / "lawqa_jp" / "selection.json"
    if lawqa.exists():
        samples = json.loads(lawqa.read_text(encoding="utf-8"))["samples"]
        distinct = sorted({sample[key] for sample in samples for key in ("コンテキスト", "問題文", "選択肢")})
        texts += [(f"lawqa_jp #{n}", text) for n, text in enumerate(distinct)]
    return texts


def public_text_check() -> None:
    from yakuba.kernel import pii

    texts = public_texts()
    if not texts:
        print("\n==== public text: ../shared not found, skipped")
        return
    started = time.perf_counter()
    findings = [(name, text, finding) for name, text in texts for finding in pii.find(text)]
    elapsed = time.perf_counter() - started
    characters = sum(len(text) for _, text in texts)
    kinds = Counter(finding.kind for _, _, finding in findings)
    print(f"\n==== public text without personal data: {len(texts)} texts, {characters:,} characters, "
          f"{elapsed * 1000:.0f} ms ({characters / elapsed / 1000:.0f} k characters/s)")
    print(f"findings (all false positives): {len(findings)} {dict(kinds) if kinds else ''}")
    for name, text, finding in findings[:30]:
        context = text[max(0, finding.start - 15):finding.end + 15].replace("\n", " ")
        print(f"  false {finding.kind:<13} {finding.text!r:<20} in {name}: …{context}…")


def main() -> None:
    setup()
    from yakuba.kernel import pii

    items = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else DATA).read_text(encoding="utf-8"))
    pii.find("山田太郎様 0274-82-2111")  # builds the tagger outside the timings
    evaluate(items, "all snippets", details=False)
    for split in ("dev", "holdout"):
        chosen = [item for item in items if item.get("split", "dev") == split]
        if chosen:
            evaluate(chosen, f"split {split}", details=True)
    public_text_check()


if __name__ == "__main__":
    main()
