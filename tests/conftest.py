import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = Path(os.environ.get("MSB_SHARED", ROOT.parent / "shared"))
CORPUS = Path(os.environ.get("MSB_CORPUS", SHARED / "corpus"))
LAB = Path(os.environ.get("MSB_LAB", SHARED / "lab"))

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))


def make_context(root, files: dict[str, str]):
    """Write `files` (relative path -> text) under `root` and return it: a build context for a test."""
    for name, body in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    return root
