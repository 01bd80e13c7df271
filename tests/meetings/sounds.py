"""Audio for the transcription tests, made on the spot: silence, noise and tones with numpy and the stdlib `wave`,
compressed formats with PyAV's encoders, and the one real speech clip shipped in fixtures/ (Common Voice, CC0)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import av
import numpy as np

RATE = 16000
FIXTURES = Path(__file__).parent / "fixtures"
SPEECH = FIXTURES / "common_voice_ja_38853932_16k.wav"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
SPEECH_TEXT = "王もこのやり方は喜んでいません。それにもう一つ、これには困ることがあるのです。"


def wav_bytes(samples: np.ndarray, rate: int = RATE) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return out.getvalue()


def speech() -> np.ndarray:
    with wave.open(str(SPEECH), "rb") as handle:
        return np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2").astype(np.float32) / 32768


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), dtype=np.float32)


def noise(seconds: float, level: float = 0.05, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, level, int(seconds * RATE)).astype(np.float32)


def tone(seconds: float, freq: float = 440.0, level: float = 0.3) -> np.ndarray:
    return (level * np.sin(2 * np.pi * freq * np.arange(int(seconds * RATE)) / RATE)).astype(np.float32)


def encoded(samples: np.ndarray, codec: str, container: str, *, rate: int = RATE, video: bool = False) -> bytes:
    """`samples` compressed with PyAV (codec e.g. libmp3lame, aac, libopus, flac) in `container` (mp3, mp4, ogg …)."""
    out = io.BytesIO()
    box = av.open(out, "w", format=container)
    picture = None
    if video:
        picture = box.add_stream("mpeg4", rate=5)
        picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
    stream = box.add_stream(codec, rate=rate)
    stream.layout = "mono"
    resampler = av.AudioResampler(format=stream.codec_context.format.name, layout="mono", rate=rate)
    source = samples if rate == RATE else np.interp(np.arange(int(samples.size * rate / RATE)) * RATE / rate,
                                                     np.arange(samples.size), samples).astype(np.float32)
    step = stream.codec_context.frame_size or 1024
    for start in range(0, source.size, step):
        frame = av.AudioFrame.from_ndarray(source[start:start + step].reshape(1, -1), format="flt", layout="mono")
        frame.sample_rate, frame.pts = rate, start
        for converted in resampler.resample(frame):
            for packet in stream.encode(converted):
                box.mux(packet)
    for packet in stream.encode(None):
        box.mux(packet)
    if picture is not None:
        for _ in range(int(samples.size / RATE * 5)):
            image = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), dtype=np.uint8), format="rgb24")
            for packet in picture.encode(image):
                box.mux(packet)
        for packet in picture.encode(None):
            box.mux(packet)
    box.close()
    return out.getvalue()


def video_without_audio(seconds: float = 2.0) -> bytes:
    out = io.BytesIO()
    box = av.open(out, "w", format="mp4")
    picture = box.add_stream("mpeg4", rate=5)
    picture.width, picture.height, picture.pix_fmt = 64, 48, "yuv420p"
    for _ in range(int(seconds * 5)):
        image = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), dtype=np.uint8), format="rgb24")
        for packet in picture.encode(image):
            box.mux(packet)
    for packet in picture.encode(None):
        box.mux(packet)
    box.close()
    return out.getvalue()


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate after removing punctuation and spaces (Levenshtein distance / reference length)."""
    from yakuba.meetings.transcription.engine import normalise

    ref, hyp = normalise(reference), normalise(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        current = [i]
        for j, b in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1] / max(1, len(ref))
