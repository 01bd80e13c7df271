"""Models of 会議・議事録: bodies and meetings, packs and their versions, recordings, segments and minutes."""

from .meeting import AgendaItem, Attendance, Body, BodyKind, Meeting, MeetingState, Member, Presence
from .minutes import Minutes, Recording, RecordingState, Segment, SummaryKind
from .pack import Document, Note, Page, Version

__all__ = ["AgendaItem", "Attendance", "Body", "BodyKind", "Document", "Meeting", "MeetingState", "Member",
           "Minutes", "Note", "Page", "Presence", "Recording", "RecordingState", "Segment", "SummaryKind",
           "Version"]
