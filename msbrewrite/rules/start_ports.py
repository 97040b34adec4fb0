"""Ports the start command binds though no EXPOSE names them: `runserver 0.0.0.0:80` in an
entrypoint script, `gunicorn --bind :80`, `uvicorn --port 80`, or `ENV PORT=80` (the variable
Express apps, gunicorn and most platforms' conventions read). A port below 1024 needs root (or
a capability) wherever the engine keeps the default privileged range (Kubernetes, Podman, Docker
before 20.10), so a runtime msb moves to a non-root user would no longer start there.
"""
from __future__ import annotations

from msbrewrite.model.analysis import StageFacts
from msbrewrite.support import lazy_re

# a port in the forms servers take on their command line; `$PORT` and other variables never match
_PORT_RES = (
    lazy_re.compile(r"\brunserver(?:_plus)?\s+(?:\S*:)?(\d{1,5})(?![\w.:])"),          # Django
    lazy_re.compile(r"(?:--bind|--listen|-b)[=\s]+['\"]?[\w.\[\]:*-]*:(\d{1,5})(?![\w.])"),  # gunicorn, hypercorn, waitress
    lazy_re.compile(r"--port[=\s]+['\"]?(\d{1,5})(?![\w.])"),                         # uvicorn, flask run, streamlit
)


def start_ports(facts: StageFacts, script_text: str | None) -> list[int]:
    """Ports the ENTRYPOINT/CMD lines, or the start script they run (`script_text`), bind."""
    texts = [ins.args for ins in (facts.entrypoint, facts.cmd) if ins is not None]
    if script_text:
        # comment lines say nothing about what runs
        texts.append("\n".join(line for line in script_text.splitlines() if not line.lstrip().startswith("#")))
    port = (facts.env or {}).get("PORT", "")
    found = [int(port)] if port.isdigit() and 0 < int(port) < 65536 else []
    for text in texts:
        for pattern in _PORT_RES:
            found += [int(m.group(1)) for m in pattern.finditer(text) if 0 < int(m.group(1)) < 65536]
    return sorted(set(found))
