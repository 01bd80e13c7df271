"""文字起こし of real Japanese speech with the shipped Whisper base model on the CPU (meetings/transcription).

On the Common Voice clips of ../shared/data/asr_ja/ (8 read sentences with their transcripts; YAKUBA_ASR_DATA to point
elsewhere), through the production path (PyAV window decode → Silero VAD → Whisper int8 → guards):
(a) character error rate per clip and overall (Levenshtein distance ÷ reference length, after NFKC and removing
    punctuation and spaces; the model writes numbers and kana/kanji choices its own way, so a few % is spelling);
(b) real-time factor: transcription seconds ÷ audio seconds over all clips, median of 3 runs (the first load of the
    model not counted); goal ≤ 0.3;
(c) each clip padded with 30 s before and 30 s after (60 s in all) of digital silence, and of white noise
    (−34 dBFS RMS): any text outside the speech is invented (goal: none), and the time relative to the speech-only
    run (goal ≤ 1.2);
ceiling: bare faster-whisper on the same clips (same model and settings, no VAD and no guards), its RTF and CER.

Run: .venv/bin/python bench/meetings_asr_bench.py   (prints; never asserts)
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yakuba.settings")

import django  # noqa: E402

django.setup()

from yakuba.meetings.transcription import audio, engine, model  # noqa: E402


def _default_data() -> Path:
    """../shared/data/asr_ja beside the repository (looked for further up from a worktree)."""
    for parent in Path(__file__).resolve().parents[1:]:
        if (parent / "shared" / "data" / "asr_ja").is_dir():
            return parent / "shared" / "data" / "asr_ja"
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "asr_ja"


DATA = Path(os.environ.get("YAKUBA_ASR_DATA", "") or _default_data())
RATE = 16000
RUNS = 3
PAD = 30.0


def distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def transcribe_file(loaded: model.LoadedModel, path: Path) -> tuple[list[engine.Piece], float, float]:
    """The production path on one file, as a recording of its chunks: pieces, seconds taken, audio seconds."""
    began = time.perf_counter()
    found = audio.probe(path)
    total = audio.chunk_count(found.duration, engine.CHUNK_SECONDS)
    start, pieces = 0.0, []
    for index in range(total):
        result = engine.transcribe_chunk(loaded, path, index=index, total=total, start=start, duration=found.duration)
        pieces += result.pieces
        start = result.end
    return pieces, time.perf_counter() - began, found.duration


def make_padded(clips: list[tuple[str, str, Path]], folder: Path) -> dict[str, list[tuple[str, Path, float]]]:
    """Each clip with PAD seconds before and after of silence, and of noise (under the speech too)."""
    rng = np.random.default_rng(2026)
    padded: dict[str, list[tuple[str, Path, float]]] = {"silence": [], "noise": []}
    for name, _, path in clips:
        speech = read_wav(path)
        pad = int(PAD * RATE)
        for label in padded:
            if label == "silence":
                samples = np.concatenate([np.zeros(pad), speech, np.zeros(pad)]).astype(np.float32)
            else:  # the noise goes under the speech too, as a room's hum would
                samples = rng.normal(0, 0.02, 2 * pad + speech.size).astype(np.float32)
                samples[pad:pad + speech.size] += speech
            target = folder / f"{label}-{name}"
            write_wav(target, samples)
            padded[label].append((name, target, speech.size / RATE))
    return padded


def invented_in(pieces: list[engine.Piece], name: str, speech_seconds: float, speech_text: str) -> set[str]:
    """Text outside the speech (with a second's margin), or a known invented phrase the speech-only run lacks."""
    lo, hi = PAD - 1.0, PAD + speech_seconds + 1.0
    found = {f"{name} {p.start:.1f}–{p.end:.1f} s 「{p.text}」" for p in pieces if p.end <= lo or p.start >= hi}
    joined = engine.normalise("".join(p.text for p in pieces))
    return found | {f"{name}: 「{phrase}」" for phrase in engine.HALLUCINATIONS
                    if phrase in joined and phrase not in engine.normalise(speech_text)}


def main() -> None:
    rows = list(csv.DictReader((DATA / "transcripts.tsv").open(encoding="utf-8"), delimiter="\t"))
    began = time.perf_counter()
    loaded = model.load()
    print(f"model: {loaded.name}, loaded (verified, assembled if needed) in {time.perf_counter() - began:.1f} s; "
          f"CPU threads {os.cpu_count()}, beam {engine.settings.WHISPER_BEAM_SIZE}, chunk {engine.CHUNK_SECONDS:.0f} s")
    clips = [(row["file"], row["text"], DATA / row["file"]) for row in rows]

    print("\n(a) character error rate per clip")
    errors = length = 0
    speech_text: dict[str, str] = {}
    for name, reference, path in clips:
        pieces, _, _ = transcribe_file(loaded, path)
        text = "".join(piece.text for piece in pieces)
        speech_text[name] = text
        ref, hyp = engine.normalise(reference), engine.normalise(text)
        d = distance(ref, hyp)
        errors, length = errors + d, length + len(ref)
        print(f"  {name}: CER {d / len(ref):.3f}  「{text}」")
    print(f"  overall CER {errors / length:.3f} ({errors} edits / {length} characters)")

    folder = tempfile.TemporaryDirectory()
    padded = make_padded(clips, Path(folder.name))
    print(f"\n(b) real-time factor and (c) padding: {RUNS} runs, each over all {len(clips)} clips speech-only, then "
          f"padded with {2 * PAD:.0f} s of silence and of noise ({PAD:.0f} s before, {PAD:.0f} s after)")
    factors: list[float] = []
    ratios: dict[str, list[float]] = {"silence": [], "noise": []}
    invented: dict[str, set[str]] = {"silence": set(), "noise": set()}
    audio_seconds = 0.0
    for _ in range(RUNS):
        spent = audio_seconds = 0.0
        for _, _, path in clips:
            _, seconds, length_s = transcribe_file(loaded, path)
            spent, audio_seconds = spent + seconds, audio_seconds + length_s
        factors.append(spent / audio_seconds)
        for label, files in padded.items():
            padded_time = 0.0
            for name, target, speech_seconds in files:
                pieces, seconds, _ = transcribe_file(loaded, target)
                padded_time += seconds
                invented[label] |= invented_in(pieces, name, speech_seconds, speech_text[name])
            ratios[label].append(padded_time / spent)
    folder.cleanup()
    rtf = statistics.median(factors)
    print(f"  (b) audio {audio_seconds:.1f} s; RTF median {rtf:.3f} (runs {', '.join(f'{f:.3f}' for f in factors)}); "
          f"goal ≤ 0.3")
    for label in padded:
        found = sorted(invented[label])
        print(f"  (c) {label}: {len(found)} invented segment(s){': ' if found else ''}{'; '.join(found)}")
        print(f"  (c) {label}: time ÷ speech-only time, median {statistics.median(ratios[label]):.2f} "
              f"(runs {', '.join(f'{r:.2f}' for r in ratios[label])}); goal ≤ 1.2")

    print("\nceiling: bare faster-whisper (no VAD, no guards, same model, beam 1, from the WAV file)")
    factors, errors = [], 0
    for run in range(RUNS):
        spent = 0.0
        for _, reference, path in clips:
            began = time.perf_counter()
            segments, _ = loaded.whisper.transcribe(str(path), language="ja", beam_size=1,
                                                    condition_on_previous_text=False)
            text = "".join(segment.text for segment in segments)
            spent += time.perf_counter() - began
            if run == 0:
                errors += distance(engine.normalise(reference), engine.normalise(text))
        factors.append(spent / audio_seconds)
    print(f"  RTF median {statistics.median(factors):.3f}; overall CER {errors / length:.3f}")


if __name__ == "__main__":
    main()
