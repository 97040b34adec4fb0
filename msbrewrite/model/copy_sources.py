"""Context paths a Dockerfile copies, when it names them literally."""
from __future__ import annotations

def literal_sources(text: str) -> list[str]:
    """Context paths the Dockerfile copies, when written literally (no variables, no globs)."""
    from msbrewrite.model.dockerfile import parse
    from msbrewrite.model.shell import split_words
    try:
        df = parse(text)
    except Exception:
        return []
    out = []
    for ins in df.instructions:
        if ins.keyword not in ("COPY", "ADD") or "from" in ins.flags:
            continue
        words = list(ins.json_args) if ins.is_json else split_words(ins.args)
        for src in words[:-1]:
            if any(ch in src for ch in "$*?[") or "://" in src:
                continue
            src = src.strip("/")
            if src and src != ".":
                out.append(src)
    return out
