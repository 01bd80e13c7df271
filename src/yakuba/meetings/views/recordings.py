"""録音と文字起こし (事務局): a meeting's recordings and the upload form; one recording's progress (percent and time
left, refreshed by a small script from its JSON variant), the reason it was refused, and 「もう一度文字起こしする」."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yakuba.kernel.accounts.permissions import staff_required
from yakuba.kernel.http import TownRequest
from yakuba.kernel.ui.actions import act_once, error_summary

from ..models import Meeting, Recording, RecordingState
from ..services import transcribe
from ..services.access import is_clerk

ACCEPT = "audio/*,video/mp4,video/quicktime,video/webm,.wav,.mp3,.m4a,.aac,.ogg,.opus,.flac,.mp4,.mov,.webm"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("録音・録画のファイル"),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hours = max(1, settings.RECORDING_MAX_SECONDS // 3600)
        kinds = _("WAV・MP3・M4A・OGG・FLAC、または動画（MP4・MOV・WebM）。%(hours)d時間まで。")
        self.fields["file"].help_text = kinds % {"hours": hours}


def _meeting(request: TownRequest, uuid: Any) -> Meeting:
    """The meeting, for its 事務局 only (another department's staff are told it does not exist)."""
    meeting: Meeting = get_object_or_404(Meeting.objects.select_related("body"), uuid=uuid)
    if not is_clerk(request.staff, meeting.body):
        raise Http404
    return meeting


def _recording(request: TownRequest, pk: int) -> Recording:
    recording: Recording = get_object_or_404(Recording.objects.select_related("meeting__body"), pk=pk)
    if not is_clerk(request.staff, recording.meeting.body):
        raise Http404
    return recording


def _status(recording: Recording) -> dict[str, Any]:
    percent, left = transcribe.progress(recording)
    return {"state": recording.state, "label": str(recording.get_state_display()), "percent": percent,
            "seconds_left": None if left is None else round(left),
            "left": _left_text(left), "chunks_done": recording.chunks_done, "chunks_total": recording.chunks_total,
            "reason": recording.refusal, "finished": recording.state not in transcribe.ACTIVE,
            "length": _clock(recording.duration), "done": _clock(recording.seconds_done)}


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _left_text(left: float | None) -> str:
    if left is None:
        return ""
    minutes = int(left // 60)
    if minutes >= 60:
        return _("残り約%(h)d時間%(m)d分") % {"h": minutes // 60, "m": minutes % 60}
    if minutes >= 1:
        return _("残り約%(m)d分") % {"m": minutes}
    return _("残り1分未満")


def _list(request: TownRequest, meeting: Meeting, form: UploadForm) -> HttpResponse:
    rows = [(recording, _status(recording)) for recording in meeting.recordings.order_by("-uploaded_at")]
    return render(request, "meetings/staff/recordings.html", {
        "meeting": meeting, "rows": rows, "form": form, "errors": error_summary(form)},
        status=400 if form.is_bound else 200)


@staff_required()
def recordings(request: TownRequest, meeting: Any) -> HttpResponse:
    """The meeting's recordings, and the form to add one (the file is read before it is kept)."""
    found = _meeting(request, meeting)
    if request.method != "POST":
        return _list(request, found, UploadForm())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        response = act_once(
            request, lambda: transcribe.upload_recording(found, form.cleaned_data["file"], request.user), form=form,
            done=_("録音を登録しました。文字起こしが終わるまでお待ちください。"),
            back=lambda recording: reverse("staff:meetings-recording", args=[recording.pk]))
        if response is not None:
            return response
    return _list(request, found, form)


@staff_required()
def recording(request: TownRequest, pk: int) -> HttpResponse:
    """One recording: state, percent and time left, the reason when refused or failed, the segments so far."""
    found = _recording(request, pk)
    status = _status(found)
    if request.GET.get("format") == "json":
        return JsonResponse(status, headers={"Cache-Control": "no-store"})
    return render(request, "meetings/staff/recording.html", {
        "recording": found, "meeting": found.meeting, "status": status,
        "can_retry": found.state in (RecordingState.FAILED, RecordingState.REFUSED),
        "segments": found.segments.order_by("position")[:500],
        "json_url": reverse("staff:meetings-recording", args=[found.pk]) + "?format=json"})


@staff_required()
@require_POST
def retry(request: TownRequest, pk: int) -> HttpResponse:
    found = _recording(request, pk)
    return act_once(request, lambda: transcribe.retry(found, request.user),
                    done=_("文字起こしをもう一度始めます。終わった部分の続きから再開します。"),
                    back=reverse("staff:meetings-recording", args=[found.pk]))


urlpatterns: list[URLPattern | URLResolver] = []
staff_urlpatterns: list[URLPattern | URLResolver] = [
    path("meetings/<uuid:meeting>/recordings/", recordings, name="meetings-recordings"),
    path("meetings/recordings/<int:pk>/", recording, name="meetings-recording"),
    path("meetings/recordings/<int:pk>/retry/", retry, name="meetings-recording-retry"),
]
