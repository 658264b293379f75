"""Protobuf output of the sample reference: field presence is part of the contract."""

import sample_reference.messages  # noqa: F401 - registers sample.Record in the descriptor pool

from pytest_monolith_parity import Case, compare, divergence, example, pyo3, python_call

Case(
    id="record",
    covers="sample_reference/messages.py",
    python=python_call("sample_reference:record"),
    rust=pyo3("record"),
    examples=[
        example("abc", 7, id="set"),
        example("", 300, id="no_name"),
        example("abc", 0, id="zero_count",
                expect=divergence("Rust omits count when it is 0, so a set-to-default field reads as unset",
                                  outcome="mismatch", message="count")),
    ],
    compare=compare.proto("sample.Record"),
)
