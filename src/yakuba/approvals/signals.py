"""Signals inside 電子決裁・文書管理, between its filing half and its drafting half."""

from django.dispatch import Signal

# Sent once per Record whose content 廃棄 destroyed (sender=Record, record=…), in the disposing transaction: the
# drafting side empties the decided draft's body and deletes its attachments' files.
record_disposed = Signal()

# Sent before a 簿冊 is disposed of (sender=Volume, volume=…): each receiver returns a list of reasons (Japanese
# sentences) why it cannot be, e.g. a record in it is answered by a 起案 not decided yet. Empty: nothing holds it.
volume_disposal_blockers = Signal()
