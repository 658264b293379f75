"""Text functions of the sample reference: JSON payloads, names, ports."""

from pytest_monolith_parity import Case, compare, divergence, example, pyo3, python_call, worker

REFERENCE = "sample_reference/__init__.py"

Case(
    id="to_json",
    covers=REFERENCE,
    python=python_call("sample_reference:to_json"),
    rust=pyo3("to_json"),
    examples=[
        example({"a": 1, "b": "x"}, id="sorted_keys"),
        example({"b": 1, "a": 2}, id="unsorted_keys",
                expect=divergence("Rust serialises through a BTreeMap: keys come out sorted, while the "
                                  "payload's key order is the contract", outcome="mismatch", message="root")),
    ],
    compare=compare.json(key_order=True),
)

Case(
    id="normalize_name",
    covers=REFERENCE,
    python=python_call("sample_reference:normalize_name"),
    rust=pyo3("normalize_name"),
    examples=[
        example("  Alice ", id="padded"),
        example("", id="empty",
                expect=divergence("Python rejects an empty name, Rust returns ''", outcome="python raised",
                                  message="ValueError: empty name")),
    ],
)

for name, runner in (("parse_port", pyo3("parse_port")), ("parse_port_worker", worker("parse_port"))):
    Case(
        id=name,
        covers=REFERENCE,
        python=python_call("sample_reference:parse_port"),
        rust=runner,
        perf=True,  # in-process pyo3 against a worker round trip, in the report's performance section
        examples=[
            example("8080", id="plain"),
            example("abc", id="not_a_number"),
            example("", id="empty", expect=divergence("Rust unwraps the first character of an empty string",
                                                      outcome="rust panicked",
                                                      message="rust panicked: called `Option::unwrap()` on a `None`")),
        ],
    )
