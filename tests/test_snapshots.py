import pytest

from snapshots import cases, check_case


@pytest.mark.parametrize("case", cases(), ids=lambda p: p.name)
def test_snapshot(case):
    check_case(case)
