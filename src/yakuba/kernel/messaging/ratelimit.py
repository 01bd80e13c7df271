"""A per-second message budget shared by every worker on every machine (one row per key and second)."""

from __future__ import annotations

import time

from django.db import IntegrityError, transaction
from django.db.models import F

from .models import RateWindow


class Budget:
    """Takes tokens from the shared window in small chunks so a worker asks the database once per chunk."""

    def __init__(self, key: str, per_second: int, chunk: int = 10) -> None:
        self.key, self.per_second = key, per_second
        self.chunk = max(1, min(chunk, per_second)) if per_second else 0
        self._left, self._second = 0, 0

    def take(self) -> None:
        """Block until one message may go out."""
        if not self.per_second:
            return
        while True:
            second = int(time.time())
            if second == self._second and self._left > 0:
                self._left -= 1
                return
            if self._claim(second):
                self._second, self._left = second, self.chunk - 1
                return
            time.sleep(max(0.0, second + 1 - time.time()))

    def _claim(self, second: int) -> bool:
        with transaction.atomic():
            window = RateWindow.objects.filter(key=self.key, second=second, used__lte=self.per_second - self.chunk)
            updated = window.update(used=F("used") + self.chunk)
            if updated:
                return True
            if RateWindow.objects.filter(key=self.key, second=second).exists():
                return False
            try:
                with transaction.atomic():
                    RateWindow.objects.create(key=self.key, second=second, used=self.chunk)
                    RateWindow.objects.filter(key=self.key, second__lt=second - 60).delete()
                return True
            except IntegrityError:
                return False
