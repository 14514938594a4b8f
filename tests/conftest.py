"""The suite's Hypothesis profile, and a count of the examples it ran.

The property tests (test_fuzz.py) run with a fixed seed (derandomize: the
same examples on every machine, so a CI failure can be re-run here) and no
deadline (this machine's speed drifts; time is measured in the benchmark,
not asserted). `HYPOTHESIS_PROFILE=explore` draws new random examples
instead, with a database of failures in .hypothesis/, for a longer hunt."""
from __future__ import annotations

import os
from collections import Counter

import pytest
from hypothesis import HealthCheck, settings

SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
settings.register_profile("ci", deadline=None, derandomize=True, database=None, suppress_health_check=SUPPRESSED,
                          print_blob=True)
settings.register_profile("explore", deadline=None, suppress_health_check=SUPPRESSED, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

EXAMPLES: Counter[str] = Counter()  # test name -> examples run


@pytest.fixture(scope="session")
def examples() -> Counter[str]:
    """Where a property test counts the examples it ran (printed at the end)."""
    return EXAMPLES


def pytest_terminal_summary(terminalreporter) -> None:
    if EXAMPLES:
        terminalreporter.write_line(
            f"hypothesis: {sum(EXAMPLES.values())} generated examples in {len(EXAMPLES)} property tests "
            f"({', '.join(f'{name} {count}' for name, count in sorted(EXAMPLES.items()))})")
