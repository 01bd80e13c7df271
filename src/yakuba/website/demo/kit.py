"""The demo sites' building blocks: a page as data (Spec) and short makers of the body's blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]


def h(text: str, level: int = 2) -> Block:
    return {"type": "heading", "level": level, "text": text}


def t(*paragraphs: str) -> Block:
    """A text block: each argument a paragraph (a string starting with "<" is taken as it is: a list, a table)."""
    return {"type": "text", "html": "".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paragraphs)}


def ul(*items: str) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def faq(question: str, answer: str) -> Block:
    return {"type": "faq", "question": question, "answer": answer if answer.startswith("<") else f"<p>{answer}</p>"}


def link(url: str, text: str) -> Block:
    return {"type": "link", "url": url, "text": text}


def place(lat: float, lng: float, label: str) -> Block:
    return {"type": "map", "lat": lat, "lng": lng, "label": label}


@dataclass(frozen=True)
class Words:
    """The page in another language: title, summary, body."""

    title: str
    summary: str = ""
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A demo page: where it sits (its path; the parent is the path without the last slug), what it is, which 課
    owns it (the first department whose name holds one of `owner`'s words; else the DX office), what it says."""

    path: str
    kind: str
    title: str
    summary: str = ""
    blocks: tuple[Block, ...] = ()
    owner: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)
    en: Words | None = None
    easy: Words | None = None
    overdue: bool = False  # its 棚卸し date already passed (so the demo's 棚卸し has work)
    age_days: int = 30  # published this many days ago
