"""What the harness writes: shared files with the process umask, previews that do not change between runs."""

import os

import pytest

from pytest_monolith_parity.files import atomic_write
from pytest_monolith_parity.records import preview
from pytest_monolith_parity.report import summary_line


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_atomic_write_gives_the_umask_mode_not_mkstemps_0600(tmp_path, umask):
    old = os.umask(umask)
    try:
        path = tmp_path / "golden" / "MANIFEST.json"
        atomic_write(path, b"{}")
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
        atomic_write(path, b"{}\n")  # a rewrite too
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask
    finally:
        os.umask(old)


def test_previews_sort_dict_keys_and_set_members_so_a_hashmap_order_does_not_show():
    one = {"zeta": {3, 1, 2}, "alpha": [{"y": 1, "x": (2,)}], "mid": frozenset({"b", "a"})}
    other = {"mid": frozenset({"a", "b"}), "alpha": [{"x": (2,), "y": 1}], "zeta": {2, 3, 1}}
    assert preview(one) == preview(other) == \
        "{'alpha': [{'x': (2,), 'y': 1}], 'mid': frozenset({'a', 'b'}), 'zeta': {1, 2, 3}}"
    assert preview("text") == "'text'" and preview(set()) == "set()"


def test_the_parity_line_lists_every_class_in_a_fixed_order_zeros_included():
    line = summary_line([{"outcome": "match"}, {"outcome": "match"}, {"outcome": "harness error"}])
    assert line == ("PARITY: 2 match, 0 error agreement, 0 mismatch, 0 different errors, 0 python raised, "
                    "0 rust raised, 0 rust panicked, 0 process crashed, 0 timeout, 0 reference drifted, "
                    "0 golden missing, 0 expected divergence, 0 unexpected pass, 0 divergence changed, "
                    "0 reference unavailable, 0 rust unavailable, 1 harness error")
    assert summary_line([]).startswith("PARITY: 0 match, 0 error agreement, 0 mismatch, ")
