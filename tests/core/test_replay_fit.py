"""A replayed input must be one the case's strategy could draw: else a harness error, never a verdict."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from pytest_monolith_parity.arguments import Args
from pytest_monolith_parity.cases import Case
from pytest_monolith_parity.compare import exact
from pytest_monolith_parity.execution import run_property
from pytest_monolith_parity.hypothesis_support import replay_misfit
from pytest_monolith_parity.outcomes import Outcome

PAIR = st.tuples(st.integers(0, 2**63 - 1), st.integers(0, 2**63 - 1))


def test_arity_and_types_are_checked():
    assert replay_misfit(PAIR, Args((1, 2))) is None
    assert replay_misfit(PAIR, Args((1,))) == "it has 1 positional argument(s), the strategy draws 2"
    assert replay_misfit(PAIR, Args((1, "2"))) == "argument 2 is a str, the strategy draws int there"
    assert replay_misfit(PAIR, Args((1, True))) == "argument 2 is a bool, the strategy draws int there"
    assert "keyword arguments ['x']" in replay_misfit(PAIR, Args((1, 2), {"x": 1}))
    arrays = st.tuples(hnp.arrays(np.float32, st.integers(0, 4)))
    assert replay_misfit(arrays, Args((np.zeros(3, np.float32),))) is None
    assert "ndarray[float64, 1-d]" in replay_misfit(arrays, Args((np.zeros(3),)))


class _Context:  # run_property only hands it to the sides, which are never called for a misfit
    pass


def test_a_misfit_replay_is_a_harness_error_and_neither_side_runs():
    calls = []

    def side(*args):
        calls.append(args)
        raise TypeError("takes 2 arguments")

    from pytest_monolith_parity.runners.python_side import InProcessPython

    case = Case(id="add", covers="monolith/m.py", python=side, rust=InProcessPython(side).for_side("rust"),
                strategy=PAIR, compare=exact())
    execution = run_property(case, _Context(), None, replay_input=Args((1,)))
    assert execution.verdict.raw is Outcome.HARNESS_ERROR and not calls
    assert "the replayed input does not fit case 'add': it has 1 positional argument(s)" in execution.verdict.message
