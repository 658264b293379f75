"""Hypothesis settings for the comparator self-test: a derandomized CI profile and a ``deep`` one.

``MONOLITH_PARITY_SELFTEST=deep python -m pytest tests/compare/selftest`` runs
each property with :data:`DEEP_FACTOR` times the examples, randomized, with
Hypothesis' example database; the default (CI) profile is derandomized, so a
failure reproduces on every machine.  Settings objects are applied per test
(``@examples(n)``), never loaded globally, so the rest of the suite keeps its
own Hypothesis settings.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("MONOLITH_PARITY_SELFTEST", "ci")
if PROFILE not in ("ci", "deep"):
    raise RuntimeError(f"MONOLITH_PARITY_SELFTEST must be 'ci' or 'deep', got {PROFILE!r}")
DEEP_FACTOR = 25

_COMMON = dict(deadline=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
                                      HealthCheck.function_scoped_fixture])
settings.register_profile("compare-selftest-ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("compare-selftest-deep", derandomize=False, **_COMMON)
_BASE = settings.get_profile(f"compare-selftest-{PROFILE}")


def examples(n: int) -> settings:
    """Settings for a property with ``n`` examples in CI (``n * DEEP_FACTOR`` in the deep profile)."""
    return settings(_BASE, max_examples=n * (DEEP_FACTOR if PROFILE == "deep" else 1))
