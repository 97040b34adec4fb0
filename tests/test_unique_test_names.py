"""pytest imports every test module by its file name (the folders have no __init__.py): two test
files with one name in different folders stop the whole run at collection."""
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_every_test_module_name_is_unique():
    seen = defaultdict(list)
    for path in TESTS.rglob("*.py"):
        if "data" in path.relative_to(TESTS).parts or "__pycache__" in path.parts:
            continue    # sample apps, not ours to collect
        seen[path.name].append(str(path.relative_to(TESTS)))
    twins = {name: paths for name, paths in seen.items() if len(paths) > 1 and name != "__init__.py"}
    assert not twins, twins
