"""Builders for the 会議録 tests: a held committee meeting with a finished recording and a realistic exchange of
segments (as the transcription writes them: positions in time order, no speakers, turn_change at long pauses)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope

from tests.meetings.support import Committee, make_committee
from yakuba.kernel.files.uploads import save_private
from yakuba.meetings.models import Attendance, MeetingState, Presence, Recording, RecordingState, Segment

# (text, start, end, turn_change): 委員長 opens and calls 委員1議員, who asks; 総務課長 is called and answers.
EXCHANGE = [
    ("ただいまから総務常任委員会を開会します。", 0.0, 4.0, False),
    ("議案第45号、令和8年度下仁田町一般会計補正予算（第5号）を議題とします。質疑はありませんか。", 4.0, 10.0, False),
    ("委員1議員。", 10.0, 11.0, False),
    ("補正予算の道路維持費について伺います。", 12.5, 16.0, True),
    ("今回の増額の理由は何でしょうか。", 16.0, 19.0, False),
    ("総務課長。", 20.5, 21.5, True),
    ("お答えします。台風による路肩の崩落を復旧するため、1,200万円を計上しました。", 23.0, 29.0, True),
    ("ほかに質疑はありませんか。質疑なしと認めます。", 30.5, 34.0, True),
    ("これより採決します。議案第45号は原案のとおり可決すべきものと決定しました。", 34.0, 40.0, False),
]
AUDIO = bytes(range(256)) * 40  # 10,240 bytes standing in for a recording


@dataclass
class Held:
    committee: Committee
    recording: Recording
    segments: list[Segment]

    @property
    def meeting(self):
        return self.committee.meeting

    @property
    def clerk(self):
        return self.committee.clerk


def make_held(town, *, public: bool = True, exchange=EXCHANGE, held: bool = True, name: str = "総務常任委員会"
              ) -> Held:
    committee = make_committee(town, public=public, name=name)
    path = save_private(ContentFile(AUDIO, name="rec.mp3"), "meetings/recordings")
    with scope(municipality=town):
        meeting = committee.meeting
        if held:
            meeting.state, meeting.held_at = MeetingState.HELD, timezone.now()
            meeting.save(update_fields=["state", "held_at"])
        committee.item.outcome = "原案可決"
        committee.item.save(update_fields=["outcome"])
        for n, member in enumerate(committee.members):
            Attendance.objects.create(municipality=town, meeting=meeting, member=member,
                                      presence=Presence.ABSENT if n == 2 else Presence.PRESENT)
        recording = Recording.objects.create(
            municipality=town, meeting=meeting, file=path, original_name="第4回委員会.mp3", size=len(AUDIO),
            duration=40.0, state=RecordingState.DONE, chunks_total=1, chunks_done=1, uploaded_by=committee.clerk.user)
        segments = [Segment.objects.create(municipality=town, recording=recording, chunk=0, position=n, start=start,
                                           end=end, text=text, turn_change=turn)
                    for n, (text, start, end, turn) in enumerate(exchange)]
    return Held(committee, recording, segments)
