"""Tasks of 翻訳: machine drafts through the AI endpoint, run in the town's scope."""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django_scopes import scope
from django_tasks import task

from yakuba.kernel import ai
from yakuba.kernel.audit.services import record as audit
from yakuba.kernel.tenancy.models import Municipality

logger = logging.getLogger(__name__)


@task()
def draft(municipality_id: int, kind: str, key: str, language: str, actor_id: int | None = None) -> int:
    from . import services

    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    with scope(municipality=municipality):
        try:
            return services.draft(municipality=municipality, kind=kind, key=key, language=language, actor=actor)
        except ai.ChatFailed as error:
            audit("words.draft.ai_failed", municipality=municipality, actor=actor,
                  data={"kind": kind, "key": key, "language": language, "error": str(error)})
            logger.warning("words: AI draft of %s:%s failed: %s", kind, key, error)
            return 0
