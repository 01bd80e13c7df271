"""会議録の書き出し: the minutes as PDF (WeasyPrint) and DOCX (python-docx) in the usual 会議録 layout.

The layout most 地方議会 use: a header (会議名, 日時, 場所, 出席者, 欠席者, 議題), the summary (会議の概要), then
each speech as one paragraph 「○議長（山田太郎）　発言…」 — consecutive segments of one speaker joined — with its
time in the recording."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from yakuba.kernel.files.pdf import render_pdf

from ..models import AgendaItem, Attendance, Meeting, Presence, Segment
from .minutes import minutes_of, segments_of
from .summary import Line, clock, parse

WEEKDAYS = "月火水木金土日"
UNKNOWN = "（発言者未確認）"


@dataclass
class Speech:
    """One turn: a speaker's consecutive segments."""

    speaker: str  # 「○議長（山田太郎）」 without the mark
    text: str
    start: float
    segment_id: int  # the first segment (the anchor of the public page)
    segment_ids: list[int] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"○{self.speaker}"

    @property
    def time(self) -> str:
        return clock(self.start)


def speaker_name(segment: Segment) -> str:
    """議長（山田太郎） for a member, the label (事務局長) otherwise."""
    if segment.speaker_id and segment.speaker is not None:
        member = segment.speaker
        return f"{member.title}（{member.name}）" if member.name and member.name != member.title else member.title
    return segment.speaker_label or UNKNOWN


def speeches(segments: list[Segment]) -> list[Speech]:
    joined: list[Speech] = []
    previous: tuple[int | None, str] | None = None
    for segment in segments:
        if not segment.text.strip():
            continue
        who = (segment.speaker_id, segment.speaker_label if not segment.speaker_id else "")
        if joined and who == previous and (segment.speaker_id or segment.speaker_label):
            joined[-1].text += segment.text
            joined[-1].segment_ids.append(segment.pk)
        else:
            joined.append(Speech(speaker_name(segment), segment.text, segment.start, segment.pk, [segment.pk]))
        previous = who
    return joined


def when(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.year}年{local.month}月{local.day}日（{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


@dataclass
class MinutesDocument:
    title: str
    held: str
    place: str
    present: list[str]
    absent: list[str]
    agenda: list[str]
    summary: list[Line]
    summary_note: str
    speeches: list[Speech]


def document(meeting: Meeting) -> MinutesDocument:
    """What every format shows, in order."""
    attendance = Attendance.objects.filter(meeting=meeting).select_related("member").order_by("member__sort_order")
    present = [f"{row.member.title}（{row.member.name}）" + ("" if row.presence == Presence.PRESENT
                                                            else f"［{row.get_presence_display()}］")
               for row in attendance if row.presence != Presence.ABSENT]
    absent = [f"{row.member.title}（{row.member.name}）" for row in attendance if row.presence == Presence.ABSENT]
    agenda = [str(item) + (f"（{item.outcome}）" if item.outcome else "")
              for item in AgendaItem.objects.filter(meeting=meeting)]
    minutes = minutes_of(meeting)
    summary = parse(minutes.summary) if minutes is not None else []
    note = ""
    if minutes is not None and minutes.summary and minutes.summary_kind == "ai_draft":
        note = ("AIによる下書きを職員が確認した要約です。" if minutes.summary_confirmed_at
                else "AIによる下書き（未確認）です。")
    place = meeting.place or ("オンライン" if meeting.online_url else "")
    return MinutesDocument(meeting.title, when(meeting.starts_at), place, present, absent, agenda, summary, note,
                           speeches(segments_of(meeting)))


def pdf(meeting: Meeting) -> bytes:
    return render_pdf("meetings/pdf/minutes.html", {"doc": document(meeting)})


def docx(meeting: Meeting) -> bytes:
    from docx import Document as Docx  # python-docx, imported here: only the export needs it
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = document(meeting)
    out = Docx()
    style = out.styles["Normal"]
    style.font.name, style.font.size = "Noto Sans CJK JP", Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK JP")
    heading = out.add_heading(f"{doc.title} 会議録", level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = out.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in (("会議名", doc.title), ("日時", doc.held), ("場所", doc.place),
                         ("出席者", "、".join(doc.present)), ("欠席者", "、".join(doc.absent) or "なし"),
                         ("議題", "\n".join(doc.agenda))):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    if doc.summary:
        out.add_heading("会議の概要", level=2)
        if doc.summary_note:
            out.add_paragraph(doc.summary_note)
        for line in doc.summary:
            out.add_paragraph(line.render(), style="Heading 3" if line.heading else None)
    out.add_heading("会議の経過", level=2)
    for speech in doc.speeches:
        paragraph = out.add_paragraph()
        paragraph.add_run(speech.heading).bold = True
        paragraph.add_run(f"　{speech.text}")
        paragraph.add_run(f"（{speech.time}）").font.size = Pt(8)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
