"""Transcribing a recording chunk by chunk with faster-whisper, guarded against Whisper's known failures.

Chunks. A recording is cut into `chunk_count` chunks of about CHUNK_SECONDS; the cut between chunk i and i+1 is
searched within ±SEARCH_SECONDS of its nominal place ((i+1) × duration / n) for the quietest stretch (the lowest
short-time energy, smoothed over 0.3 s, with a small pull towards the nominal place), so a word is not split. Energy
rather than the Silero VAD for this: it needs only the samples already decoded for the chunk and numpy, it is
deterministic (a resumed run cuts at the same place), and a pause between words is the quietest 0.3 s of twenty
seconds of speech. The Silero VAD that faster-whisper ships still runs inside every chunk (vad_filter).
The number of chunks depends only on the duration, so `chunks_total` is known at upload.

Guards, each against a failure Whisper is known for:
- silence and noise make it invent text (「ご視聴ありがとうございました」 from the subtitled videos it was trained on):
  the Silero VAD removes non-speech before decoding; a segment the no-speech gate flags (high no_speech_prob with a
  low average log-probability, or a very high no_speech_prob alone) is dropped; and a known hallucination phrase is
  dropped when its segment is not confident (a 「ありがとうございました」 really said in a meeting is confident speech,
  an invented one comes out of noise with a high no_speech_prob or a low log-probability);
- conditioning on the previous text lets one mistake repeat for minutes: off;
- repetition loops (「はい、はい、はい、…」 for a minute): a phrase repeated more than MAX_REPEATS times in a row inside
  a segment is cut to one, and a segment whose text is the same as the two before it is dropped;
- temperature fallback with the compression-ratio and log-probability thresholds re-decodes a window that came out
  as a loop or as gibberish.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from . import audio
from .model import LoadedModel

CHUNK_SECONDS = 90.0
SEARCH_SECONDS = 10.0
FRAME_SECONDS = 0.05
NO_SPEECH_THRESHOLD = 0.6
LOG_PROB_THRESHOLD = -1.0
COMPRESSION_RATIO_THRESHOLD = 2.4
GATE_LOG_PROB = -0.7  # with no_speech_prob above NO_SPEECH_THRESHOLD: not speech
CERTAIN_NO_SPEECH = 0.9  # alone: not speech
MAX_REPEATS = 3
# Phrases Whisper is known to invent on silence and noise (Japanese subtitles of videos), normalised.
HALLUCINATIONS = (
    "ご視聴ありがとうございました", "ご視聴ありがとうございます", "チャンネル登録", "高評価", "おやすみなさい",
    "字幕", "ありがとうございました", "お疲れ様でした", "最後までご覧いただき", "次回もお楽しみに", "ご清聴",
    "thankyouforwatching", "subtitlesby",
)
PUNCTUATION = re.compile(r"[\s、。，．,.!?！？・…「」『』（）()\[\]【】〜~ー-]+")


@dataclass(frozen=True)
class Piece:
    """A segment of transcribed speech; times in seconds from the start of the whole recording."""

    start: float
    end: float
    text: str
    avg_logprob: float
    no_speech_prob: float


@dataclass(frozen=True)
class ChunkResult:
    start: float
    end: float  # where the next chunk starts
    pieces: list[Piece]


def nominal_cut(index: int, total: int, duration: float) -> float:
    return duration if index >= total - 1 else (index + 1) * duration / total


def quietest(samples: np.ndarray, offset: float, lo: float, hi: float, target: float) -> float:
    """The middle of the quietest 0.3 s of `samples` (which start at `offset` seconds) between lo and hi."""
    frame = int(FRAME_SECONDS * audio.SAMPLE_RATE)
    first = max(0, int((lo - offset) * audio.SAMPLE_RATE))
    last = min(samples.size, int((hi - offset) * audio.SAMPLE_RATE))
    count = (last - first) // frame
    if count < 8:
        return target
    frames = samples[first:first + count * frame].reshape(count, frame)
    energy = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1)) + 1e-6
    smooth = np.convolve(np.log(energy), np.ones(6) / 6, mode="same")
    centres = offset + (first + (np.arange(count) + 0.5) * frame) / audio.SAMPLE_RATE
    score = smooth + 0.02 * np.abs(centres - target)  # 1 s away costs as much as 2 % less energy
    return float(centres[int(np.argmin(score))])


def normalise(text: str) -> str:
    return PUNCTUATION.sub("", unicodedata.normalize("NFKC", text)).lower()


def cut_loops(text: str) -> str:
    """A unit of 1 to 20 characters repeated more than MAX_REPEATS times in a row is kept once."""
    def once(match: re.Match[str]) -> str:
        return match.group(1)

    text = re.sub(rf"(.{{2,20}}?)\1{{{MAX_REPEATS},}}", once, text)
    return re.sub(r"(.)\1{7,}", once, text)


def is_hallucination(text: str, avg_logprob: float, no_speech_prob: float) -> bool:
    """A known invented phrase, said with little confidence. Only when the segment is little more than the phrase:
    a long confident sentence that contains 「ありがとうございました」 is someone speaking."""
    plain = normalise(text)
    if not plain:
        return True
    unsure = no_speech_prob > 0.3 or avg_logprob < -0.6
    for phrase in HALLUCINATIONS:
        if phrase in plain and len(plain) <= len(phrase) + 6:
            return unsure
    return False


def is_no_speech(avg_logprob: float, no_speech_prob: float) -> bool:
    return no_speech_prob >= CERTAIN_NO_SPEECH or (no_speech_prob > NO_SPEECH_THRESHOLD and
                                                   avg_logprob < GATE_LOG_PROB)


def guard(pieces: Iterable[Piece]) -> list[Piece]:
    """Apply the no-speech gate, the hallucination filter and the repetition guard, in order."""
    kept: list[Piece] = []
    for piece in pieces:
        if is_no_speech(piece.avg_logprob, piece.no_speech_prob):
            continue
        text = cut_loops(piece.text.strip())
        if is_hallucination(text, piece.avg_logprob, piece.no_speech_prob):
            continue
        plain = normalise(text)
        if len(kept) >= 2 and all(normalise(earlier.text) == plain for earlier in kept[-2:]):
            continue  # the third time in a row: a loop across segments
        kept.append(Piece(piece.start, piece.end, text, piece.avg_logprob, piece.no_speech_prob))
    return kept


def transcribe_samples(model: LoadedModel, samples: np.ndarray, offset: float) -> list[Piece]:
    """Whisper on 16 kHz samples that start at `offset` seconds into the recording; guarded pieces."""
    if samples.size < audio.SAMPLE_RATE // 10:
        return []
    segments, _info = model.whisper.transcribe(
        samples, language="ja", task="transcribe", beam_size=max(1, int(getattr(settings, "WHISPER_BEAM_SIZE", 1))),
        temperature=(0.0, 0.2, 0.4), vad_filter=True,
        vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 300},
        condition_on_previous_text=False, no_speech_threshold=NO_SPEECH_THRESHOLD,
        log_prob_threshold=LOG_PROB_THRESHOLD, compression_ratio_threshold=COMPRESSION_RATIO_THRESHOLD,
        without_timestamps=False)
    raw = [Piece(offset + float(s.start), offset + float(s.end), s.text, float(s.avg_logprob),
                 float(s.no_speech_prob)) for s in segments]
    return guard(raw)


def transcribe_chunk(model: LoadedModel, path: Path | str, *, index: int, total: int, start: float,
                     duration: float) -> ChunkResult:
    """Chunk `index` of `total`, starting at `start` (where the previous chunk ended): its cut is searched near
    its nominal place, and only [start, cut) is transcribed."""
    target = nominal_cut(index, total, duration)
    last = index >= total - 1
    reach = duration if last else min(duration, target + SEARCH_SECONDS)
    samples = audio.window(path, start, reach)
    if last:
        end = duration
    else:
        lo = max(start + 1.0, target - SEARCH_SECONDS)
        end = quietest(samples, start, lo, reach, target)
        samples = samples[: int(round((end - start) * audio.SAMPLE_RATE))]
    pieces = transcribe_samples(model, samples, start)
    return ChunkResult(start, end, [Piece(piece.start, min(piece.end, end), piece.text, piece.avg_logprob,
                                          piece.no_speech_prob) for piece in pieces if piece.start < end])
