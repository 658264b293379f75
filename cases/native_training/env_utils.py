"""Parity of monolith/native_training/env_utils.py (Rust: ``monolith_training::native_training::env_utils``).

``get_zk_auth_data()`` reads ``ZK_AUTH`` of the calling process; ``in_env`` sets exactly that
variable (or removes it) around each side's call and restores it afterwards.
"""

from __future__ import annotations

from hypothesis import strategies as st

from pytest_monolith_parity import Case, divergence, example, pyo3, python_call
from pytest_monolith_parity.helpers import environ

COVERS = "monolith/native_training/env_utils.py"


def in_env(value):
    return environ({"ZK_AUTH": value})


def _pairs(value):
    """[("digest", auth)] as a list of lists: the port returns a list of tuples too, compared as lists."""
    return None if value is None else [list(p) for p in value]


Case(
    id="get_zk_auth_data",
    covers=COVERS,
    python=python_call("monolith.native_training.env_utils:get_zk_auth_data", adapt=lambda value: (), around=in_env,
                       post=_pairs),
    rust=pyo3("get_zk_auth_data", adapt=lambda value: (), around=in_env, post=_pairs),
    examples=[
        example(None, id="unset"),
        example("user:pass", id="user_and_password"),
        example("", id="empty"),
        example("   ", id="blank", expect=divergence(
            "Python returns [('digest', '   ')] for any non-empty ZK_AUTH (env_utils.py: `if ZK_AUTH:`); the port "
            "trims it first and returns None for a blank value", outcome="mismatch", message="type list != NoneType")),
        example(" user:pass ", id="surrounding_spaces", expect=divergence(
            "Python passes ZK_AUTH through unchanged (' user:pass '); the port trims it ('user:pass')",
            outcome="mismatch", message="root[0][1]")),
        example("ü:ß", id="non_ascii"),
    ],
    strategy=st.tuples(st.one_of(st.none(), st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc"),
                                                                  blacklist_characters="\x00"), max_size=12))),
)

Case(
    id="generate_psm_from_uuid",
    covers=COVERS,
    python=python_call("monolith.native_training.env_utils:generate_psm_from_uuid"),
    rust=pyo3("generate_psm_from_uuid"),
    examples=[example("job-1234", id="uuid"), example("", id="empty"), example("模型", id="unicode")],
    strategy=st.tuples(st.text(st.characters(blacklist_categories=("Cs",)), max_size=16)),
)
