"""The AI endpoint every app drafts text with: an OpenAI-compatible chat-completions client (settings.AI_BASE_URL).

Nothing reaches it unredacted: callers pass their text through `kernel.pii.redact` first and audit what they send.
Failures are `ChatFailed`, with a message for staff in Japanese."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _


def enabled() -> bool:
    return bool(settings.AI_BASE_URL and settings.AI_MODEL)


class ChatFailed(Exception):
    """The endpoint could not be reached or answered badly; the message is for staff, in Japanese."""


def complete(payload: dict[str, Any]) -> str:
    """POST `payload` to {AI_BASE_URL}/chat/completions; the first choice's message content."""
    url = settings.AI_BASE_URL.rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.AI_API_KEY:
        headers["Authorization"] = f"Bearer {settings.AI_API_KEY}"
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=settings.AI_TIMEOUT_SECONDS)
    except requests.Timeout as error:
        raise ChatFailed(_("AIの応答が時間内にありませんでした。時間をおいてもう一度お試しください。")) from error
    except requests.RequestException as error:
        raise ChatFailed(_("AIに接続できませんでした。設定とネットワークを確認してください。")) from error
    if response.status_code != 200:
        raise ChatFailed(_("AIがエラーを返しました（HTTP %(status)s）。") % {"status": response.status_code})
    return _content(response)


def _content(response: requests.Response) -> str:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise ChatFailed(_("AIの応答の形式が正しくありません。")) from error
    if not isinstance(content, str) or not content.strip():
        raise ChatFailed(_("AIの応答が空でした。"))
    return content.strip()
