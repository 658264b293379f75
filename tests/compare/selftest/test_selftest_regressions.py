"""Shrunk self-test failures that were comparator bugs, kept as explicit examples."""

from __future__ import annotations

import selftest_protos as P
from pytest_monolith_parity.compare import proto


def test_a_repeated_extension_that_was_only_read_is_absent():
    """Shrunk from test_one_mutation_is_reported_at_its_place: upb lists a repeated extension in ListFields
    once it has been read, even empty; it is not on the wire, so it must not count as present."""
    e = P.A.Msg()
    e.Extensions[P.A.ext["ext_sub"]].SetInParent()
    assert len(e.Extensions[P.A.ext["ext_rs"]]) == 0  # reading it is enough
    a = P.A.Msg.FromString(e.SerializeToString())
    assert proto(P.A.Msg).compare(e, a).equal
    assert proto(P.A.Msg).compare(e, e.SerializeToString()).equal
    a.Extensions[P.A.ext["ext_rs"]].append("x")
    assert [d.path for d in proto(P.A.Msg).compare(e, a).differences] == ["[st2.ext_rs]"]
