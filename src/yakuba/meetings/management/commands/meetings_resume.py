"""yakuba meetings_resume: queue again every transcription whose worker died (no heartbeat for 10 minutes), to resume
from its last finished chunk. Each run also schedules its own watch task, so this is only a belt-and-braces job for
cron or a systemd timer (e.g. every 10 minutes); running it more often does no harm."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from yakuba.meetings.services.transcribe import resume_stalled


class Command(BaseCommand):
    help = "Queue again the transcriptions of meeting recordings whose worker stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        count = resume_stalled()
        self.stdout.write(f"{count} transcription(s) queued again")
