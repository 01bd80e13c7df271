"""In-app signals of 電子決裁・文書管理."""

from django.dispatch import Signal

# Sent by 廃棄 after a kept Record's content was destroyed: sender=Record, record=the Record.
record_disposed = Signal()
