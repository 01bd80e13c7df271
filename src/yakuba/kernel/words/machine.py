"""Machine drafts of translations through the configured AI endpoint (kernel/ai.py): every text passes the PII guard
first, what is sent is audited (how much and what was redacted, never the text), and the answer is only ever a draft
that staff check before anything is shown to residents."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from yakuba.kernel import ai, pii
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.tenancy.models import Municipality

from .models import Language

SYSTEM = {
    Language.ENGLISH: (
        "You translate a Japanese municipality's texts for residents into plain, short English. "
        "You receive a JSON object of id -> Japanese text. Answer with one JSON object of the same ids -> English, "
        "nothing else. Keep numbers, dates and amounts exactly. Leave placeholders such as [氏名] or {n} as they are. "
        "A text with HTML tags keeps exactly the same tags around the translated words."),
    Language.EASY: (
        "あなたは自治体の文章を「やさしい日本語」に書き換えます。短い文、やさしい言葉、漢字を少なめに。"
        "JSONオブジェクト（id → 日本語）を受け取り、同じ id → やさしい日本語 のJSONオブジェクトだけを返してください。"
        "数字・日付・金額はそのまま。[氏名] や {n} はそのまま残してください。HTMLのタグはそのまま残してください。"),
}


def translate(texts: dict[str, str], language: str, *, municipality: Municipality, actor: Any = None,
              about: dict[str, Any] | None = None) -> dict[str, str]:
    """`texts` (id → Japanese) in `language` ("en" or "easy"), as the endpoint proposes them: id → text, for the
    ids it answered. Raises ai.ChatFailed when the endpoint fails or answers badly. `about` says in the audit entry
    what the texts belong to."""
    sent: dict[str, str] = {}
    kinds: Counter[str] = Counter()
    for key, text in texts.items():
        redacted, findings = pii.redact(text)
        kinds.update(finding.kind for finding in findings)
        sent[key] = redacted
    payload = {"model": settings.AI_MODEL, "temperature": 0, "messages": [
        {"role": "system", "content": SYSTEM[Language(language)]},
        {"role": "user", "content": json.dumps(sent, ensure_ascii=False)}]}
    audit("words.draft.ai_sent", municipality=municipality, actor=actor,
          data={**(about or {}), "language": language, "model": settings.AI_MODEL, "endpoint": settings.AI_BASE_URL,
                "texts": len(sent), "chars": sum(len(v) for v in sent.values()),
                "redactions": dict(sorted(kinds.items()))})
    answer = parse(ai.complete(payload))
    return {key: str(answer[key]) for key in texts if isinstance(answer.get(key), str | int | float)}


def parse(content: str) -> dict[str, Any]:
    """The JSON object in the answer (models sometimes wrap it in a code fence)."""
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end < start:
        raise ai.ChatFailed(_("AIの応答の形式が正しくありません。"))
    try:
        found = json.loads(content[start:end + 1])
    except ValueError as error:
        raise ai.ChatFailed(_("AIの応答の形式が正しくありません。")) from error
    if not isinstance(found, dict):
        raise ai.ChatFailed(_("AIの応答の形式が正しくありません。"))
    return found
