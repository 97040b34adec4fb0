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
