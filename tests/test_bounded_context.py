"""A context bigger than msb reads is said so, never silently cut."""
from msbrewrite import Options, convert
from msbrewrite.model import context

GO_APP = 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\nCMD ["/out/app"]\n'


def _context(tmp_path, files: int):
    (tmp_path / "go.mod").write_text("module x\n")
    (tmp_path / "main.go").write_text("package main\nfunc main() {}\n")
    for i in range(files):
        (tmp_path / f"data-{i:03}.txt").write_text("x")
    return tmp_path


def test_a_context_beyond_the_walk_limit_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "MAX_WALK", 20)
    result = convert(GO_APP, _context(tmp_path, 40), Options())
    assert result.status == "converted", result.reason
    assert any("more than 20 files" in w for w in result.warnings), result.warnings


def test_a_context_within_the_limit_says_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(context, "MAX_WALK", 100)
    result = convert(GO_APP, _context(tmp_path, 40), Options())
    assert not any("files (build folders skipped)" in w for w in result.warnings)
