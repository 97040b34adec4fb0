"""Big inputs within the limits cost linear work. No clock here (timing lives in
benchmarks/large_inputs.py): the tests count function calls and allocated bytes, which do not
depend on the machine, and compare a file with its double."""
from __future__ import annotations

import sys
import tracemalloc

import pytest

from msbrewrite.convert import convert

CASES = {
    "env": lambda n: "FROM golang:1.22\n" + "".join(f"ENV V{i}=value{i}\n" for i in range(n))
                     + 'RUN go build -o /s .\nCMD ["/s"]\n',
    "go-build-o": lambda n: "FROM golang:1.22\n" + "".join(f"RUN go build -o /out/b{i} ./cmd/b{i}\n" for i in range(n))
                            + 'CMD ["/out/b1"]\n',
    # each ENV/LABEL line uses a build argument: the runtime must know whether an ENV set it first
    "env-label-arg": lambda n: "FROM golang:1.22\nARG V=1\n" + "".join(f"LABEL l{i}=$V\nENV E{i}=$V\n"
                                                                     for i in range(n // 2))
                               + 'RUN go build -o /s .\nCMD ["/s"]\n',
    "cargo-build": lambda n: "FROM rust:1.80\nWORKDIR /src\n" + "".join(
        f"RUN cargo build --release --bin b{i}\n" for i in range(n)) + 'CMD ["/src/target/release/b1"]\n',
}


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
