"""The workflow gate: only declared transitions, from their source states, by their actor."""

from __future__ import annotations

import pytest

from yakuba.kernel.workflow import Transition, TransitionError, Workflow

FLOW = Workflow([
    Transition("review", frozenset({"new"}), "reviewing", "staff"),
    Transition("withdraw", frozenset({"new", "reviewing"}), "withdrawn", "applicant"),
])


def test_available_depends_on_state_and_actor():
    assert [t.name for t in FLOW.available("new", "staff")] == ["review"]
    assert [t.name for t in FLOW.available("reviewing", "applicant")] == ["withdraw"]
    assert FLOW.available("withdrawn", "applicant") == []
    assert FLOW.states() == {"new", "reviewing", "withdrawn"}


@pytest.mark.parametrize("state, name, actor", [("reviewing", "review", "staff"), ("new", "review", "applicant"),
                                                ("new", "unknown", "staff")])
def test_check_refuses_what_is_not_declared(state, name, actor):
    with pytest.raises(TransitionError):
        FLOW.check(state, name, actor)


def test_check_returns_the_target():
    assert FLOW.check("new", "withdraw", "applicant").target == "withdrawn"
