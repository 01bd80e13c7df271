"""AI問い合わせ・例規検索: retrieval quality and query latency.

1. The Digital Agency's legal QA set (../shared/data/lawqa_jp/selection.json, 140 questions): every distinct
   statute excerpt is ingested as a national document (through the same ingest and 条・項 splitting as a town's
   ordinances), every 問題文 is searched (kind 法令 only), and a hit is a passage of the question's own 法令 + 条 + 項.
   "first" counts the excerpt's first 条・項 only (the one the question is about); "any" counts any 条・項 of the
   excerpt. Also with the four choices appended to the question (what a clerk reading the whole item would type).
   4-choice accuracy when a generation endpoint is configured (YAKUBA_AI_BASE_URL), else "not configured".
2. Our own questions over the demo corpus (bench/data/assistant_questions.json, written as residents and clerks
   would type them): recall@1, recall@5 and MRR of the expected document (and article, for 例規); and how often the
   resident chat answers (known) with the expected document first.
3. Query latency (p50/p95, warm index) over the demo corpus of a town and over a synthetic town of 10,000 articles,
   against the floor measured in the same run: tokenising the question alone plus the bare BM25 retrieval, so
   "overhead" is what loading the passages and building citations costs on top. Also the time to ingest the
   synthetic corpus and to build its index.

4. The resident chat on three sets, BEFORE (BM25 only, the previous answer rule: the best passage's coverage of the
   question's words ≥ 0.6) and AFTER (words near in meaning from the packaged word vectors, right document or none):
   the FAQ documents' own titles asked as questions, residents' paraphrases of them written without reading the
   answers (bench/data/assistant_paraphrases.json), and questions nothing in the corpus answers
   (assistant_out_of_corpus.json): recall@1/@5 of the expected document (public resident search), the chat's
   answers with the expected document, with another one ("wrong document"), false 分かりません, the share of
   out-of-corpus questions answered 分かりません, and p50/p95 of a whole chat answer.

Run: .venv/bin/python bench/assistant_bench.py   (prints figures; never asserts)
     YAKUBA_BENCH_DEMO=/tmp/folder keeps the demo database there for the next run; `--chat` runs part 4 only.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from demo_db import setup_demo

ROOT = Path(__file__).resolve().parent
SHARED = ROOT.parents[1] / "shared"
LAWQA = SHARED / "data" / "lawqa_jp" / "selection.json"
QUESTIONS = ROOT / "data" / "assistant_questions.json"
UNANSWERABLE = ROOT / "data" / "assistant_unanswerable.json"  # nothing in the demo corpus answers these
PARAPHRASES = ROOT / "data" / "assistant_paraphrases.json"
OUT_OF_CORPUS = ROOT / "data" / "assistant_out_of_corpus.json"
THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8)
ARTICLE = re.compile(r"^### 第(\d+)条((?:の\d+)*)", re.M)
PARAGRAPH = re.compile(r"^#### 第(\d+)項", re.M)
LEGAL = ("ordinance", "rule", "guideline")
GROUPS = {"faq": "FAQ", "ordinance": "例規", "rule": "例規", "guideline": "例規", "help": "ヘルプ"}


def setup() -> None:
    started = time.perf_counter()
    setup_demo()
    print(f"migrate + demo load (4 towns, every app): {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def rank_figures(ranks: list[int | None]) -> str:
    n = len(ranks)
    r1 = sum(1 for r in ranks if r == 1) / n
    r5 = sum(1 for r in ranks if r is not None and r <= 5) / n
    mrr = sum(1 / r for r in ranks if r is not None) / n
    return f"recall@1 {r1:.3f}  recall@5 {r5:.3f}  MRR {mrr:.3f}  (n={n})"


# 1. lawqa_jp ------------------------------------------------------------------------------------------------------

def excerpt_places(context: str) -> list[tuple[str, str]]:
    """(law, 第N条[第M項]) of each 項 in an excerpt, in order; a 条 with no 項 heading counts as 第1項."""
    places: list[tuple[str, str]] = []
    law = ""
    article = ""
    seen_paragraph = True
    for line in unicodedata.normalize("NFKC", context).splitlines():  # excerpts write 第１項 as often as 第1項
        if line.startswith("## "):
            law = line[3:].strip()
        elif match := ARTICLE.match(line):
            if not seen_paragraph:
                places.append((law, article))
            article = f"第{match[1]}条{match[2]}"
            seen_paragraph = False
        elif match := PARAGRAPH.match(line):
            places.append((law, f"{article}第{match[1]}項"))
            seen_paragraph = True
    if not seen_paragraph:
        places.append((law, article))
    return places


def same_place(hit_title: str, hit_section: str, place: tuple[str, str]) -> bool:
    """A passage is at `place` if it is of the same law and the same 条 and 項 (a single-項 article is printed as
    第N条, and a 第1項 asked of it is the article)."""
    law, section = place
    if law not in hit_title and law not in hit_section:
        return False
    section_of_hit = hit_section.split(" ")[-1]
    if section_of_hit == section:
        return True
    return section.endswith("第1項") and section_of_hit == section[: -len("第1項")]


def ingest_excerpts(contexts: list[str]) -> dict[str, set[int]]:
    """Each excerpt as national documents, one per law it quotes; the ids of each excerpt's documents."""
    from yakuba.assistant.models import Kind
    from yakuba.assistant.services.ingest import DocumentFields, upsert

    documents_of: dict[str, set[int]] = {}
    for number, context in enumerate(contexts):
        documents_of[context] = set()
        # One national document per law of the excerpt (several excerpts quote more than one law).
        for part, block in enumerate(re.split(r"(?m)^(?=## )", context)):
            if not block.strip():
                continue
            law = block.splitlines()[0][3:].strip() if block.startswith("## ") else "法令"
            fields = DocumentFields(kind=Kind.LAW, title=law, source="e-Gov法令検索（lawqa_jp の抜粋）")
            document = upsert(None, source_key=f"lawqa:{number}:{part}", text=block, fields=fields)
            if document is not None:
                documents_of[context].add(document.pk)
    return documents_of


def lawqa(town: Any) -> None:
    from django_scopes import scope

    from yakuba.assistant.models import Kind
    from yakuba.assistant.services import generate
    from yakuba.assistant.services.search import search
    from yakuba.kernel.search.text import terms

    samples = json.loads(LAWQA.read_text(encoding="utf-8"))["samples"]
    contexts = sorted({s["コンテキスト"] for s in samples})
    started = time.perf_counter()
    documents_of = ingest_excerpts(contexts)
    without = sum(1 for c in contexts if not excerpt_places(c))
    print(f"\n1. lawqa_jp: {len(samples)} questions, {len(contexts)} distinct excerpts ingested as "
          f"{sum(len(d) for d in documents_of.values())} national documents (one per law of an excerpt) "
          f"in {time.perf_counter() - started:.1f} s ({without} excerpts have no 条: any passage of them counts)")
    # 17 問題文 are only 「次のうち、正しいものを教えてください。」 (the content is in the choices): no search can
    # find their article from the question alone, so figures are also given without them.
    generic = {"次", "内", "正しい", "誤る"}
    asks = [not set(terms(s["問題文"])) <= generic for s in samples]
    print(f"   {asks.count(False)} of the 問題文 say only 「次のうち、正しい／誤っているものを教えてください。」")
    for label, with_choices in (("問題文", False), ("問題文+選択肢", True)):
        first: list[int | None] = []
        anywhere: list[int | None] = []
        for sample in samples:
            query = sample["問題文"] + ("\n" + sample["選択肢"] if with_choices else "")
            places = excerpt_places(sample["コンテキスト"])
            own = documents_of[sample["コンテキスト"]]
            with scope(municipality=town):
                hits = search(town, query[:500], public=False, kinds=[Kind.LAW], limit=10).hits
            if not places:  # an excerpt without 条 (a guideline, a Q&A): any passage of it
                first.append(next((i for i, h in enumerate(hits, 1) if h.document_id in own), None))
                anywhere.append(first[-1])
                continue
            first.append(next((i for i, h in enumerate(hits, 1) if same_place(h.title, h.section, places[0])), None))
            anywhere.append(next((i for i, h in enumerate(hits, 1)
                                  if any(same_place(h.title, h.section, p) for p in places)), None))
        print(f"   {label:<8} first 条・項: {rank_figures(first)}")
        print(f"   {label:<8} any 条・項:   {rank_figures(anywhere)}")
        if not with_choices:
            for name, ranks in (("first 条・項", first), ("any 条・項  ", anywhere)):
                kept = [rank for rank, real in zip(ranks, asks, strict=True) if real]
                print(f"   {label:<8} {name}, without those: {rank_figures(kept)}")
    if not generate.enabled():
        print("   4-choice accuracy: not configured (set YAKUBA_AI_BASE_URL to an OpenAI-compatible endpoint)")
        return
    correct = 0
    for sample in samples:
        with scope(municipality=town):
            hits = search(town, sample["問題文"][:500], public=False, kinds=[Kind.LAW], limit=5).hits
        passages = "\n\n".join(f"{h.citation}\n{h.text}" for h in hits)
        correct += generate.answer_choice(sample["問題文"], sample["選択肢"], passages) == sample["output"]
    print(f"   4-choice accuracy (top-5 passages): {correct / len(samples):.3f}")


# 2. Our questions -------------------------------------------------------------------------------------------------

def expected(hit: Any, item: dict[str, str]) -> bool:
    if item["title"].startswith("PLAN:"):
        return bool(hit.kind == "plan")
    if hit.title != item["title"]:
        return False
    return not item["section"] or re.match(re.escape(item["section"]) + r"(第|$)", hit.section) is not None


def own_questions(towns: dict[str, Any]) -> None:
    from django_scopes import scope

    from yakuba.assistant.models import Document
    from yakuba.assistant.services import answer
    from yakuba.assistant.services.search import search

    items = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    ranks: dict[str, list[int | None]] = {"all": [], "FAQ": [], "例規": [], "例規, 例規 filter": [], "計画": [],
                                          "ヘルプ": [], "その他": []}
    known = right = faq_items = 0
    misses = []
    for item in items:
        town = towns[item["town"]]
        with scope(municipality=town):
            hits = search(town, item["question"], public=False, limit=10).hits
            rank = next((i for i, h in enumerate(hits, 1) if expected(h, item)), None)
            group = "計画" if item["title"].startswith("PLAN:") else GROUPS.get(
                Document.objects.filter(title=item["title"]).values_list("kind", flat=True).first() or "", "その他")
            ranks["all"].append(rank)
            ranks[group].append(rank)
            if group == "例規":  # as a clerk searches the ordinances: 例規 ticked on the search page
                legal = search(town, item["question"], public=False, limit=10, kinds=LEGAL).hits
                ranks["例規, 例規 filter"].append(next((i for i, h in enumerate(legal, 1) if expected(h, item)), None))
            if rank != 1:
                misses.append((item["question"], item["title"], item["section"], hits[0].citation if hits else "—"))
            if group == "FAQ":
                faq_items += 1
                reply = answer.ask(town, item["question"])
                known += reply.known
                right += reply.known and reply.passages[0].title == item["title"]
    print(f"\n2. Own questions over the demo corpus ({QUESTIONS.name})")
    for group, values in ranks.items():
        if values:
            print(f"   {group:<16} {rank_figures(values)}")
    if faq_items:
        print(f"   resident chat on the FAQ questions: answered {known}/{faq_items}, of which the expected FAQ first "
              f"{right}; the rest said 分かりません with a contact")
    print(f"   not first ({len(misses)}):")
    for question, title, section, got in misses:
        print(f"     「{question}」 want {title} {section} — got {got}")


def chat_threshold(towns: dict[str, Any]) -> None:
    """The chat's trade-off: at each confidence threshold, how many FAQ questions it answers with the expected FAQ,
    answers with another document, or declines; and how many questions nothing answers it answers anyway."""
    from django_scopes import scope

    from yakuba.assistant.models import Document
    from yakuba.assistant.services import answer

    items = json.loads(QUESTIONS.read_text(encoding="utf-8"))
    faq: list[tuple[float, bool]] = []  # (confidence, the best passage is the expected FAQ)
    for item in items:
        town = towns[item["town"]]
        with scope(municipality=town):
            if Document.objects.filter(title=item["title"], kind="faq").exists():
                reply = answer.ask(town, item["question"])
                best = answer.search(town, item["question"], public=True, kinds=answer.RESIDENT_KINDS, limit=1).hits
                faq.append((reply.confidence, bool(best) and best[0].title == item["title"]))
    others = []
    for item in json.loads(UNANSWERABLE.read_text(encoding="utf-8")):
        town = towns[item["town"]]
        with scope(municipality=town):
            others.append(answer.ask(town, item["question"]).confidence)
    print(f"\n   resident chat by confidence threshold ({len(faq)} FAQ questions, {len(others)} questions nothing in "
          f"the demo answers; the chat uses {answer.CONFIDENT}):")
    print("   threshold  FAQ: right  another doc  分かりません   unanswerable answered")
    for threshold in THRESHOLDS:
        right = sum(1 for c, ok in faq if c >= threshold and ok)
        wrong = sum(1 for c, ok in faq if c >= threshold and not ok)
        print(f"   {threshold:9.1f}  {right:10d}  {wrong:11d}  {len(faq) - right - wrong:12d}   "
              f"{sum(1 for c in others if c >= threshold):3d} of {len(others)}")


# 3. Latency -------------------------------------------------------------------------------------------------------

def latency(label: str, town: Any, queries: list[str], rounds: int = 5) -> None:
    from django_scopes import scope

    from yakuba.assistant.services.search import search, town_index
    from yakuba.kernel.search import index
    from yakuba.kernel.search.text import terms

    index.forget()
    with scope(municipality=town):
        started = time.perf_counter()
        built, _extra = town_index(town)
        build = time.perf_counter() - started
        times: list[float] = []
        floor: list[float] = []
        for _round in range(rounds):
            for query in queries:
                started = time.perf_counter()
                search(town, query, public=True, limit=10)
                times.append(time.perf_counter() - started)
                started = time.perf_counter()
                built.search(terms(query), 10)
                floor.append(time.perf_counter() - started)
    p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    f50, f95 = statistics.median(floor) * 1000, percentile(floor, 0.95) * 1000
    print(f"   {label}: {built.size} passages, index build {build * 1000:.0f} ms; query p50 {p50:.1f} ms, "
          f"p95 {p95:.1f} ms (floor: tokenise + BM25 p50 {f50:.1f} ms, p95 {f95:.1f} ms; ratio p50 "
          f"{p50 / f50:.2f}x) over {len(times)} queries")


def synthetic_town(articles: int) -> Any:
    """A town whose knowledge base is 100 ordinances of articles/100 articles each, made of sentences of the demo
    ordinances and the lawqa excerpts, shuffled (a vocabulary like a real 例規集)."""
    from django_scopes import scope

    from yakuba.assistant.models import Document, Kind
    from yakuba.assistant.services.ingest import DocumentFields, upsert
    from yakuba.kernel.tenancy.codes import check_digit
    from yakuba.kernel.tenancy.models import Municipality

    sentences = set()
    for text in Document._base_manager.values_list("body", flat=True):
        sentences.update(s.strip() + "。" for s in re.split(r"[。\n]", text) if 15 <= len(s.strip()) <= 200
                         and not s.startswith("#"))
    pool = sorted(sentences)
    rng = random.Random(42)
    town = Municipality.objects.create(code="99999" + str(check_digit("99999")), name="合成町",
                                       name_kana="ごうせいまち", prefecture="群馬県")
    per_document = 100
    started = time.perf_counter()
    with scope(municipality=town):
        for number in range(articles // per_document):
            lines = [f"合成町例規第{number + 1}号"]
            for article in range(1, per_document + 1):
                lines.append(f"第{article}条　" + "".join(rng.sample(pool, 2)))
                if article % 3 == 0:
                    lines.append("２　" + rng.choice(pool))
            upsert(town, source_key=f"synthetic:{number}", text="\n".join(lines), fields=DocumentFields(
                kind=Kind.ORDINANCE, title=f"合成町例規第{number + 1}号"))
    elapsed = time.perf_counter() - started
    with scope(municipality=town):
        passages = sum(d.passages.count() for d in Document.objects.all())
    print(f"   synthetic town: {articles} articles ({passages} passages) ingested in {elapsed:.1f} s "
          f"({articles / elapsed:.0f} articles/s)")
    return town


# 4. The chat on three sets, before and after ------------------------------------------------------------------------

def answer_before(town: Any, question: str) -> tuple[bool, str, list[str]]:
    """The chat as it was: BM25 only; known when the best passage covers ≥ 0.6 of the question's words; its
    document's title; otherwise the two best documents it showed as related (at most: it showed them only when
    they covered a third of the question)."""
    from yakuba.assistant.models import Passage
    from yakuba.assistant.services import answer
    from yakuba.assistant.services.search import coverage, search

    result = search(town, question, public=True, kinds=answer.RESIDENT_KINDS, limit=10, semantic_terms=False)
    if not result.hits:
        return False, "", []
    best = result.hits[0]
    tokens = Passage.with_national.filter(pk=best.passage_id).values_list("tokens", flat=True).first() or ""
    known = coverage(town, result.terms, set(tokens.split()), parts=False) >= 0.6
    return known, best.title, [] if known else list(dict.fromkeys(h.title for h in result.hits))[:2]


def answer_after(town: Any, question: str) -> tuple[bool, str, list[str]]:
    from yakuba.assistant.services import answer

    reply = answer.ask(town, question)
    return (reply.known, reply.passages[0].title if reply.known and reply.passages else "",
            [hit.title for hit in reply.maybe])


def document_rank(town: Any, question: str, title: str, semantic_terms: bool) -> int | None:
    from yakuba.assistant.services import answer
    from yakuba.assistant.services.search import search

    hits = search(town, question, public=True, kinds=answer.RESIDENT_KINDS, limit=20,
                  semantic_terms=semantic_terms).hits
    titles = list(dict.fromkeys(h.title for h in hits))
    return titles.index(title) + 1 if title in titles else None


def faq_titles(towns: dict[str, Any]) -> list[dict[str, str]]:
    from django_scopes import scope

    from yakuba.assistant.models import Document

    items = []
    for code, town in towns.items():
        with scope(municipality=town):
            items += [{"town": code, "question": title, "title": title} for title in Document.objects.filter(
                municipality=town, kind="faq", is_public=True, retired_at__isnull=True).values_list("title", flat=True)]
    return items


def chat_sets(towns: dict[str, Any]) -> None:
    from yakuba.kernel.search import semantic

    sets = {"FAQ titles as written": faq_titles(towns),
            "paraphrases": json.loads(PARAPHRASES.read_text(encoding="utf-8")) if PARAPHRASES.exists() else [],
            "own questions (FAQ only)": [], "out of corpus": json.loads(OUT_OF_CORPUS.read_text(encoding="utf-8"))
            if OUT_OF_CORPUS.exists() else [],
            "unanswerable (older set)": json.loads(UNANSWERABLE.read_text(encoding="utf-8"))}
    faq_of = {(i["town"], i["title"]) for i in sets["FAQ titles as written"]}
    sets["own questions (FAQ only)"] = [i for i in json.loads(QUESTIONS.read_text(encoding="utf-8"))
                                        if (i["town"], i["title"]) in faq_of]
    vectors = semantic.word_vectors()
    print(f"\n4. The resident chat, BEFORE (BM25, coverage ≥ 0.6) and AFTER (word vectors: "
          f"{vectors.name if vectors else 'NOT INSTALLED, BM25 only'}; right document or none)")
    print("   offered: 分かりません, with the expected page among the two offered (こちらかもしれません;\n"
          "   BEFORE: the two it could show as related, an upper bound)")
    print(f"   {'set':<26}{'':7}{'n':>4} {'r@1':>6} {'r@5':>6} {'right':>6} {'wrong doc':>9} {'false 分からない':>15} "
          f"{'offered':>8} "
          f"{'分かりません':>11} {'p50 ms':>7} {'p95 ms':>7}")
    for name, items in sets.items():
        if not items:
            print(f"   {name}: no data")
            continue
        for label, after in (("BEFORE", False), ("AFTER", True)):
            chat_figures(towns, name, label, items, after)


def chat_figures(towns: dict[str, Any], name: str, label: str, items: list[dict[str, str]], after: bool) -> None:
    from django_scopes import scope

    answerable = "title" in items[0]
    ranks: list[int | None] = []
    right = wrong = unknown = offered = 0
    times: list[float] = []
    failures: list[str] = []
    for item in items:
        town = towns[item["town"]]
        with scope(municipality=town):
            started = time.perf_counter()
            known, title, maybe = (answer_after if after else answer_before)(town, item["question"])
            times.append(time.perf_counter() - started)
            if answerable:
                ranks.append(document_rank(town, item["question"], item["title"], after))
        unknown += not known
        offered += answerable and not known and item["title"] in maybe
        if known and answerable:
            right += title == item["title"]
            wrong += title != item["title"]
            if title != item["title"]:
                failures.append(f"「{item['question']}」 want {item['title']} — got {title}")
        elif known:
            failures.append(f"「{item['question']}」 answered from {title}")
    n = len(items)
    p50, p95 = statistics.median(times) * 1000, percentile(times, 0.95) * 1000
    if answerable:
        r1 = sum(1 for r in ranks if r == 1) / n
        r5 = sum(1 for r in ranks if r is not None and r <= 5) / n
        print(f"   {name:<26}{label:<7}{n:4d} {r1:6.3f} {r5:6.3f} {right / n:6.3f} {wrong / n:9.3f} "
              f"{unknown / n:15.3f} {offered / n:8.3f} {'':>11} {p50:7.1f} {p95:7.1f}")
    else:
        print(f"   {name:<26}{label:<7}{n:4d} {'':>6} {'':>6} {'':>6} {'':>9} {'':>15} {'':>8} {unknown / n:11.3f} "
              f"{p50:7.1f} {p95:7.1f}")
    if after and failures and "-v" in sys.argv:
        for line in failures:
            print(f"      {line}")


def main() -> None:
    setup()
    from django_scopes import scopes_disabled

    from yakuba.kernel.tenancy.models import Municipality

    with scopes_disabled():
        towns = {t.code: t for t in Municipality.objects.all()}
    if "--chat" in sys.argv:
        chat_sets(towns)
        return
    shimonita = towns["103829"]
    if LAWQA.exists():
        lawqa(shimonita)
    else:
        print(f"1. lawqa_jp: {LAWQA} not found; skipped")
    own_questions(towns)
    chat_threshold(towns)
    queries = [item["question"] for item in json.loads(QUESTIONS.read_text(encoding="utf-8"))]
    print("\n3. Query latency (warm index, public search, top 10)")
    latency("demo 下仁田町 (town + national lawqa excerpts)", shimonita, queries)
    chat_sets(towns)
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    articles = int(numbers[0]) if numbers else 10_000
    with scopes_disabled():
        synthetic = synthetic_town(articles)
    latency(f"synthetic {articles} articles (+ national)", synthetic, queries)


if __name__ == "__main__":
    main()
