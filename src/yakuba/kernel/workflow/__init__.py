"""Small state machines: named transitions between states, each allowed to one kind of actor."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class TransitionError(ValueError):
    """The transition is not allowed from the current state (or not to this actor)."""


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    actor: str  # "staff", "applicant" or "system"
    label: str = ""


class Workflow:
    """A set of transitions; `check()` is the only gate services use before changing a state."""

    def __init__(self, transitions: Iterable[Transition]) -> None:
        self.transitions = {t.name: t for t in transitions}

    def available(self, state: str, actor: str) -> list[Transition]:
        return [t for t in self.transitions.values() if state in t.sources and t.actor == actor]

    def check(self, state: str, name: str, actor: str) -> Transition:
        transition = self.transitions.get(name)
        if transition is None or state not in transition.sources or transition.actor != actor:
            raise TransitionError(f"{name!r} is not allowed from {state!r} for {actor}")
        return transition

    def states(self) -> set[str]:
        return {s for t in self.transitions.values() for s in (*t.sources, t.target)}
