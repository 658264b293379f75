"""The public factory API, the registry, and report quality across comparators."""

from __future__ import annotations

import numpy as np
import pytest

from pytest_monolith_parity import compare
from pytest_monolith_parity.compare import Comparator, ComparatorConfigError, Comparison, Difference
from pytest_monolith_parity.compare.base import join_path, nest
from pytest_monolith_parity.compare.tfrecord import encode_record


def test_registry_names_match_classes():
    assert set(compare.REGISTRY) == {
        "exact", "tensor", "proto", "structured", "json", "text", "tfrecord", "checkpoint", "saved_model", "tree",
    }
    for name, cls in compare.REGISTRY.items():
        assert cls.name == name and issubclass(cls, Comparator)


def test_get_builds_with_options():
    cmp = compare.get("tensor", rtol=1e-3)
    assert isinstance(cmp, compare.TensorComparator) and cmp.rtol == 1e-3
    assert isinstance(compare.get("json", key_order=True), compare.JsonComparator)


@pytest.mark.parametrize(
    "name,options",
    [("nope", {}), ("tensor", {"rtol": -1}), ("tensor", {"tolerance": 1}), ("structured", {"epsilon": 1}), ("proto", {"ignore_all": True})],
)
def test_get_rejects_bad_specs(name, options):
    with pytest.raises(ComparatorConfigError):
        compare.get(name, **options)


def test_factories_return_their_classes(pb):
    assert isinstance(compare.exact(), compare.ExactComparator)
    assert isinstance(compare.tensor(max_ulp=2), compare.TensorComparator)
    assert isinstance(compare.proto(pb.Item), compare.ProtoComparator)
    assert isinstance(compare.structured(math_epsilon=1e-9), compare.StructuredComparator)
    assert isinstance(compare.json(), compare.JsonComparator)
    assert isinstance(compare.text("whitespace"), compare.TextComparator)
    assert isinstance(compare.tfrecord(), compare.TFRecordComparator)
    assert isinstance(compare.checkpoint(), compare.CheckpointComparator)
    assert isinstance(compare.saved_model(graph=True), compare.SavedModelComparator)
    assert isinstance(compare.tree({"*.json": compare.json()}), compare.TreeComparator)


def test_every_comparator_describes_itself(pb):
    for cmp in (
        compare.exact(), compare.tensor(), compare.proto(pb.Item, ignore=["sub.ts"]), compare.structured(), compare.json(key_order=True),
        compare.text("proto", pb.Item), compare.tfrecord(pb.Item), compare.checkpoint(), compare.saved_model(), compare.tree(),
    ):
        assert cmp.describe().startswith(cmp.name)
        assert cmp.name in repr(cmp)


def test_nest_never_loses_a_mismatch():
    silent = Comparison(equal=False, summary="it differs")
    assert nest(silent, "x") == [Difference("x", "it differs")]
    assert nest(Comparison.same(), "x") == []
    assert join_path("a", "[1].b") == "a[1].b" and join_path("a", "b") == "a.b" and join_path("", "b") == "b"
    assert join_path("f.json", "root['x']", "::") == "f.json::root['x']"


def test_tfrecord_record_comparator_that_fails_silently_still_fails():
    class Silent(Comparator):
        name = "silent"

        def compare(self, expected, actual):
            return Comparison(equal=expected == actual)

    result = compare.tfrecord(record=Silent()).compare(encode_record(b"a"), encode_record(b"b"))
    assert not result.equal and [d.path for d in result.differences] == ["records[0]"]


# --------------------------------------------------------------------------- location + magnitude


def _cases(pb):
    e2 = np.zeros((2, 3), np.float32)
    a2 = e2.copy()
    a2[1, 2] = 0.5
    return [
        ("tensor", compare.tensor(), e2, a2, "[1, 2]", "abs 0.5"),
        ("tensor-int", compare.tensor(), np.int64([1, 2]), np.int64([1, 5]), "[1]", "abs 3"),
        ("proto-float", compare.proto(pb.Item), pb.Item(subs=[pb.Sub(values=[1.0])]), pb.Item(subs=[pb.Sub(values=[1.25])]), "subs[0].values[0]", "abs 0.25"),
        ("proto-int", compare.proto(pb.Item), pb.Item(ids=[12]), pb.Item(ids=[13]), "ids[0]", "12 != 13"),
        ("structured", compare.structured(), {"a": [1.0]}, {"a": [1.5]}, "root['a'][0]", "abs 0.5"),
        ("json", compare.json(), '{"a": {"b": 2}}', '{"a": {"b": 4}}', "root['a']['b']", "abs 2"),
        ("exact-float", compare.exact(), [1.0], [1.5], "root[0]", "abs 0.5"),
        ("tfrecord", compare.tfrecord(), encode_record(b"abc"), encode_record(b"abd"), "records[0]", "offset 2"),
        ("text", compare.text(), "ab\ncd\n", "ab\nce\n", "line 2, column 2", "'cd\\n' != actual 'ce\\n'"),
    ]


@pytest.mark.parametrize("index", range(9))
def test_failure_messages_carry_location_and_magnitude(pb, index):
    case_id, cmp, expected, actual, location, magnitude = _cases(pb)[index]
    result = cmp.compare(expected, actual)
    assert not result.equal
    rendered = result.render()
    assert location in rendered, (case_id, rendered)
    assert magnitude in rendered, (case_id, rendered)
    assert any(d.path == location for d in result.differences), (case_id, rendered)
