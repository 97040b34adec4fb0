"""Big inputs within the limits cost linear work. No clock here (timing lives in
benchmarks/large_inputs.py): the tests count function calls and allocated bytes, which do not
depend on the machine, and compare a file with its double."""
from __future__ import annotations

import importlib.util
import sys
import tracemalloc

import pytest

from conftest import ROOT
from msbrewrite.core.convert import convert

# the shapes the benchmark times (benchmarks/large_inputs.py), loaded by path: benchmarks is no package
_spec = importlib.util.spec_from_file_location("msb_large_inputs", ROOT / "benchmarks" / "large_inputs.py")
_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_bench)
CASES = _bench.CASES


def _steps(text: str) -> int:
    """Python lines executed by a conversion (comprehension iterations included)."""
    count = 0

    def tracer(frame, event, arg):
        nonlocal count
        count += 1
        return tracer

    sys.settrace(tracer)
    try:
        result = convert(text, None)
    finally:
        sys.settrace(None)
    assert result.status == "converted", result.reason
    return count


def _peak(text: str) -> int:
    tracemalloc.start()
    try:
        convert(text, None)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("case", sorted(CASES))
def test_work_doubles_when_the_file_doubles(case):
    make = CASES[case]
    convert(make(10), None)      # imports and template compilation out of the count
    small, large = _steps(make(300)), _steps(make(600))
    assert large < 2.4 * small, (small, large)


def test_memory_of_many_env_lines_is_linear():
    make = CASES["env"]
    convert(make(10), None)
    small, large = _peak(make(1000)), _peak(make(2000))
    assert large < 2.4 * small, (small, large)
