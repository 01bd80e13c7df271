"""Reading recordings with PyAV (FFmpeg): what a file is, whether it can be read to its end, and a time window of it
as 16 kHz mono float32 samples, decoded without holding the whole file in memory.

A file is judged by its content, never its name: FFmpeg's probe decides the container, and a document or image
renamed .mp3 is named for what it is. A file is refused (`AudioRefused`, the reason in Japanese) when it is empty,
not audio, has no sound track, cannot be decoded, is cut short (the container promises more than the data holds:
a download or copy that stopped), or is longer than the town's deployment allows.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import filetype
import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _

SAMPLE_RATE = 16000
# Containers FFmpeg names for the accepted kinds: WAV, MP3, M4A/AAC and MP4/MOV, OGG/Opus, FLAC, WebM/Matroska.
ACCEPTED_FORMATS = frozenset({"wav", "mp3", "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "aac", "ogg", "flac",
                              "matroska", "webm", "caf", "aiff", "w64"})
# What filetype names a file that is certainly not a recording (a document or a picture renamed .mp3).
NOT_AUDIO = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF",
             "image/webp": "WebP", "image/heic": "HEIC", "application/zip": "ZIP",
             "application/msword": "Word", "application/x-ole-storage": "Office",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel"}
TAIL_SECONDS = 30.0  # how much of the end is decoded to prove the file is whole


class AudioRefused(ValueError):
    """The file cannot be transcribed; `reason` says why, in Japanese, for the clerk."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Probe:
    duration: float  # seconds
    container: str
    codec: str
    sample_rate: int
    channels: int
    has_video: bool


def max_seconds() -> int:
    return int(getattr(settings, "RECORDING_MAX_SECONDS", 6 * 3600))


def _hours(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return _("%(h)d時間%(m)d分") % {"h": hours, "m": rest // 60} if hours else _("%(m)d分") % {"m": rest // 60}


def _sniff(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        raise AudioRefused(_("ファイルが空です。録音したファイルを選び直してください。"))
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime in NOT_AUDIO or mime.startswith(("image/", "text/")):
        raise AudioRefused(_("このファイルの中身は%(kind)sで、録音ではありません（名前の拡張子と中身が違います）。"
                             "録音のファイル（WAV・MP3・M4A・OGG・FLAC、または動画）を選んでください。")
                           % {"kind": NOT_AUDIO.get(mime, mime)})


def _wav_short_by(path: Path) -> int:
    """How many bytes a WAV file lacks of what its header promises (0 when whole, or when a streaming writer left
    the size open). FFmpeg trusts the file's size instead, so a half-copied WAV would look whole to it."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        if handle.read(4) != b"RIFF":
            return 0
        handle.read(8)
        offset = 12
        while offset + 8 <= size:
            handle.seek(offset)
            header = handle.read(8)
            name, length = header[:4], int.from_bytes(header[4:8], "little")
            if name == b"data":
                if length in (0, 0xFFFFFFFF):
                    return 0
                return max(0, offset + 8 + length - size)
            offset += 8 + length + (length & 1)
    return 0


def _open(path: Path) -> Any:
    try:
        return av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as error:
        raise AudioRefused(_("ファイルを録音として読めません（形式が分からないか、壊れています）。"
                             "録音のファイル（WAV・MP3・M4A・OGG・FLAC、または動画）を選んでください。")) from error


def _audio_stream(container: Any) -> Any:
    streams = list(container.streams.audio)
    if not streams:
        if container.streams.video:
            raise AudioRefused(_("この動画には音声が入っていません。音声のある録画か録音を選んでください。"))
        raise AudioRefused(_("ファイルに音声が入っていません。"))
    return streams[0]


def _claimed_duration(container: Any, stream: Any) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / av.time_base
    return None


def _demuxed_duration(container: Any, stream: Any) -> float:
    """The end of the last packet: for containers that do not say their length (a browser's WebM recording)."""
    end = 0.0
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base is not None:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def _frame_end(frame: Any) -> float | None:
    if frame.time is None:
        return None
    return float(frame.time) + float(frame.samples) / float(frame.sample_rate or SAMPLE_RATE)


def _decoded_end(container: Any, stream: Any, start: float) -> tuple[float, int]:
    """Decode from `start` to the end; the end time reached and how many samples were decoded."""
    if start > 0:
        container.seek(int(start / stream.time_base), stream=stream, backward=True)
    end, samples = 0.0, 0
    for frame in container.decode(stream):
        samples += frame.samples
        frame_end = _frame_end(frame)
        if frame_end is not None:
            end = max(end, frame_end)
    return end, samples


def probe(path: Path | str) -> Probe:
    """What the file is and how long, once proven readable at its start and at its end (a few seconds decoded of
    each, so a 4-hour file is checked in about a second)."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise AudioRefused(_("ファイルが空です。録音したファイルを選び直してください。"))
    _sniff(path)
    container = _open(path)
    try:
        names = set((container.format.name or "").split(","))
        if not names & ACCEPTED_FORMATS:
            raise AudioRefused(_("この形式（%(format)s）の録音は扱えません。WAV・MP3・M4A・OGG・FLAC、"
                                 "または動画（MP4・MOV・WebM）にしてください。") % {"format": container.format.name})
        stream = _audio_stream(container)
        if "wav" in names and _wav_short_by(path) > 0:
            raise AudioRefused(_("録音が途中で切れています（ファイルの終わりが欠けています）。"
                                 "コピーや転送が終わっていないかもしれません。元のファイルを登録し直してください。"))
        has_video = bool(container.streams.video)
        claimed = _claimed_duration(container, stream)
        if claimed is None:
            claimed = _demuxed_duration(container, stream)
            container.seek(0)
        if claimed > max_seconds():
            raise AudioRefused(_("録音が長すぎます（%(length)s）。%(limit)sまでに分けてから登録してください。")
                               % {"length": _hours(claimed), "limit": _hours(max_seconds())})
        try:
            end, samples = _decoded_end(container, stream, max(0.0, claimed - TAIL_SECONDS))
        except av.error.FFmpegError as error:
            raise AudioRefused(_("録音の途中でデータが壊れていて、最後まで読めません。元のファイルを"
                                 "もう一度書き出して登録してください。")) from error
        if samples == 0 or claimed <= 0:
            raise AudioRefused(_("録音の音声を読み出せません（中身が空か、途中で切れています）。"))
        if end < claimed - max(2.0, claimed * 0.02):
            raise AudioRefused(_("録音が途中で切れています（%(claimed)s のはずが、%(end)s までしかありません）。"
                                 "コピーや転送が終わっていないかもしれません。元のファイルを登録し直してください。")
                               % {"claimed": _clock(claimed), "end": _clock(end)})
        codec = stream.codec_context
        return Probe(duration=claimed, container=container.format.name or "", codec=codec.name or "",
                     sample_rate=int(codec.sample_rate or 0), channels=int(codec.channels or 0), has_video=has_video)
    finally:
        container.close()


def _clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _resampled(container: Any, stream: Any) -> Iterator[tuple[float | None, np.ndarray]]:
    """(time of the decoded frame, its samples at 16 kHz mono) for each frame from where the container stands."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    for frame in container.decode(stream):
        time = frame.time
        for out in resampler.resample(frame):
            yield (float(time) if time is not None else None), out.to_ndarray().reshape(-1)
            time = None
    for out in resampler.resample(None):
        yield None, out.to_ndarray().reshape(-1)


def _decode_from(container: Any, stream: Any, seek_to: float, start: float, want: int
                 ) -> tuple[float | None, list[np.ndarray]]:
    """Seek to `seek_to` (at or before `start`), then keep `want` samples from `start`; the time decoding began."""
    if seek_to > 0:
        container.seek(int(seek_to / stream.time_base), stream=stream, backward=True)
    elif seek_to == 0 and start > 0:
        container.seek(0, stream=stream, backward=True)
    pieces: list[np.ndarray] = []
    origin: float | None = None  # the time of the first sample decoded after the seek
    have = skip = 0
    for time, samples in _resampled(container, stream):
        if origin is None:
            origin = time if time is not None else 0.0
            if origin > start + 0.05 and seek_to > 0:
                return origin, []  # the seek landed after the window: the caller seeks earlier
            skip = max(0, int(round((start - origin) * SAMPLE_RATE)))
        if skip:
            dropped = min(skip, samples.size)
            samples, skip = samples[dropped:], skip - dropped
        if samples.size:
            pieces.append(samples[: want - have])
            have += pieces[-1].size
        if have >= want:
            break
    return origin, pieces


def window(path: Path | str, start: float, end: float) -> np.ndarray:
    """Samples of [start, end) seconds at 16 kHz mono float32. The container seeks to just before `start` and only
    the window is kept, so memory is the window's (a 90-second chunk is 5.8 MB whatever the file's length). A seek
    that lands late (formats with a coarse index) is tried again further back, and at worst from the beginning."""
    want = max(0, int(round((end - start) * SAMPLE_RATE)))
    container = _open(Path(path))
    try:
        stream = _audio_stream(container)
        origin: float | None = None
        pieces: list[np.ndarray] = []
        for back in (0.0, 10.0, 60.0, start):
            seek_to = max(0.0, start - back)
            origin, pieces = _decode_from(container, stream, seek_to, start, want)
            if pieces or origin is None or origin <= start + 0.05:
                break
        if origin is not None and origin > start + 0.05 and pieces:  # still late (no timestamps): keep times honest
            pieces.insert(0, np.zeros(int(round((origin - start) * SAMPLE_RATE)), dtype=np.float32))
        audio = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
        return np.ascontiguousarray(audio[:want], dtype=np.float32)
    except av.error.FFmpegError as error:
        raise AudioRefused(_("録音の %(at)s あたりが壊れていて読めません。") % {"at": _clock(start)}) from error
    finally:
        container.close()


def chunk_count(duration: float, chunk_seconds: float) -> int:
    return max(1, int(math.floor(duration / chunk_seconds + 0.5)))
