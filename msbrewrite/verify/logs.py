"""The logs side of `msb verify`'s oracle: lines the converted container prints and the original
does not, matched against a table of known failure signatures; and the listening sockets read from
/proc/net/tcp in the app's network namespace (a server bound to 127.0.0.1 answers the probe, which
shares its namespace, but nobody else)."""
from __future__ import annotations

import re

from msbrewrite.support import lazy_re
from msbrewrite.support.records import record

# (name, pattern, what it usually means after a conversion); first match wins
SIGNATURES: tuple[tuple[str, re.Pattern, str], ...] = tuple((name, lazy_re.compile(rx, re.I), meaning) for name, rx, meaning in (
    ("exec format error", r"exec format error", "a binary built for another CPU or libc"),
    ("shared library missing", r"cannot open shared object file|error while loading shared libraries",
     "a native library the runtime image lacks"),
    ("glibc too old", r"GLIBC(XX)?_[\d.]+'? not found", "built against a newer C library than the runtime image has"),
    ("Java class version", r"UnsupportedClassVersionError|compiled by a more recent version of the Java Runtime",
     "the runtime image's JRE is older than the compiler"),
    ("Python module missing", r"ModuleNotFoundError|ImportError: ", "a package or module was not copied"),
    ("Node module missing", r"Cannot find module|ERR_MODULE_NOT_FOUND", "a dependency or file was not copied"),
    ("permission denied", r"EACCES|EPERM|PermissionError|Permission denied|AccessDeniedException|"
                          r"Operation not permitted|read-only file system|EROFS",
     "the runtime user cannot write or read a path"),
    ("database not writable", r"unable to open database file|attempt to write a readonly database|"
                              r"SQLITE_(?:CANTOPEN|READONLY)", "the runtime user cannot write the database or its folder"),
    ("file missing", r"ENOENT|No such file or directory|FileNotFoundError|NoSuchFileException|"
                     r"\bnot found\b|does not exist", "a file or directory was not copied"),
    ("user missing", r"unable to find user|no matching entries in passwd|getpwuid|unknown user",
     "the runtime user does not exist in the image"),
    ("certificates missing", r"certificate verify failed|x509: certificate signed by unknown authority|"
                             r"unable to get local issuer certificate", "CA certificates are missing"),
    ("time zone or locale missing", r"unknown time ?zone|locale\.Error|cannot change locale|setlocale",
     "tzdata or locales are missing"),
    ("crash", r"Segmentation fault|SIGSEGV|core dumped|panic:|Traceback \(most recent call last\)|"
              r"Unhandled(?:Promise)?Rejection|uncaughtException|Exception in thread|"
              # Python stops before running a line it cannot compile (no traceback header then);
              # Node's own frames report an error nothing caught
              r"^\s*(?:SyntaxError|IndentationError|TabError): |triggerUncaughtException|"
              r"^node:internal/(?:process|modules)/", "the app crashed"),
    ("supervised program exited", r"\bexited: \S+ \(exit status \d+; not expected\)|\bgave up: \S+ entered FATAL",
     "a program supervisord runs keeps failing"),
    ("listening on localhost only", r"(?:listen|running|serving|started|bound|bind|launch)\w*\b.*"
                                    r"(?:127\.0\.0\.1|localhost|\[::1\])(?![\d.])",
     "the server is reachable only from inside its container (a missing config file?)"),
))

_TIMESTAMP = lazy_re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|"
                             r"\[\d\d/\w{3}/\d{4}(?::\d\d){3} [+-]\d{4}\]|\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b")
# where Python packages live: msb moves them into its virtualenv (/opt/venv), so the same error names
# another folder there (from the system's site- or dist-packages, a `pip install --user` folder)
PACKAGES = lazy_re.compile(r"(?:/usr(?:/local)?/lib/python[\d.]*|/root/\.local/lib/python[\d.]*|"
                           r"/opt/venv/lib/python[\d.]*|/usr/lib/python3)/(?:site|dist)-packages")
# ids and hashes (8+ hex digits), and any 0x-prefixed number: a crash's pc=0x6393e8 or a stack
# frame's +0x1c5 are addresses in this build's binary, which a rebuild moves
_HEX = lazy_re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{8,}\b", re.I)
_NUMBER = lazy_re.compile(r"\d+")


_IPV4 = lazy_re.compile(r"(\b\d{1,3}(?:\.\d{1,3}){3}\b)")
_ANSI = lazy_re.compile(r"\x1b\[[0-9;]*m")        # colour codes: a logger's choice, not the message

# A static server's log of one request it answered "not found": nginx's error line, http-server's.
# The request came from verify's own probe (the app runs without a network), so the answer itself
# is what tells whether it differs from the original's.
_NOT_FOUND_REQUEST = (
    lazy_re.compile(r'(?:\bopen\(\) "[^"]*" failed|"[^"]*" is not found) \(2: No such file or directory\).*'
                    r'\brequest: "(?:GET|HEAD) (\S+) HTTP/[\d.]+"'),
    lazy_re.compile(r'"(?:GET|HEAD) (\S+)" Error \(404\): "Not found"'),
)


def not_found_request(line: str) -> str | None:
    """The path of a request a static server logs as not found, else None."""
    for rx in _NOT_FOUND_REQUEST:
        m = rx.search(line)
        if m:
            return m.group(1)
    return None


def normalise(line: str) -> str:
    """A log line without what changes from run to run (times, ids, pids, durations) or with the
    conversion (the folder Python packages live in: the same error, from the virtualenv). Loopback and
    wildcard addresses stay: 127.0.0.1 where the original said 0.0.0.0 is the difference."""
    line = _HEX.sub("H", _TIMESTAMP.sub("T", PACKAGES.sub("<site-packages>", _ANSI.sub("", line).strip())))
    parts = _IPV4.split(line)
    for i, part in enumerate(parts):
        if i % 2:
            parts[i] = part if part.startswith("127.") or part == "0.0.0.0" else "IP"
        else:
            parts[i] = _NUMBER.sub("N", part)
    return "".join(parts)


def new_lines(original: list[str], converted: list[str]) -> list[str]:
    """Lines of the converted log with no counterpart (after normalising) in the original's."""
    seen = {normalise(line) for line in original}
    out = []
    for line in converted:
        if line.strip() and normalise(line) not in seen and line not in out:
            out.append(line)
    return out


@record(frozen=True)
class Signature:
    name: str
    meaning: str
    line: str


def match(line: str) -> Signature | None:
    for name, rx, meaning in SIGNATURES:
        if rx.search(line):
            return Signature(name, meaning, line.strip()[:300])
    return None


def log_differences(original: list[str], converted: list[str], limit: int = 10,
                    answered_alike=lambda path: False) -> list[Signature]:
    """Known failure signatures among the lines only the converted container printed; a request
    logged as not found whose path `answered_alike` in both images is the probe's business."""
    found = []
    for line in new_lines(original, converted):
        path = not_found_request(line)
        if path is not None and answered_alike(path):
            continue
        sig = match(line)
        if sig:
            found.append(sig)
            if len(found) >= limit:
                break
    return found


# --------------------------------------------------------------------------- listening sockets

def listeners(proc_net_tcp: str) -> set[tuple[str, int]]:
    """(address, port) of the LISTEN sockets in /proc/net/tcp and tcp6 text."""
    out = set()
    for line in proc_net_tcp.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A" or ":" not in fields[1]:
            continue
        addr, _, port = fields[1].partition(":")
        try:
            out.add((_address(addr), int(port, 16)))
        except ValueError:
            continue
    return out


def _address(hex_addr: str) -> str:
    if len(hex_addr) == 8:       # IPv4, little-endian
        return ".".join(str(int(hex_addr[i:i + 2], 16)) for i in (6, 4, 2, 0))
    if set(hex_addr) == {"0"}:
        return "::"
    words = [hex_addr[i:i + 8] for i in range(0, 32, 8)]
    if words[:3] == ["00000000", "00000000", "0000FFFF"]:     # ::ffff:a.b.c.d
        return "::ffff:" + _address(words[3])
    if words == ["00000000", "00000000", "00000000", "01000000"]:
        return "::1"
    return hex_addr


def loopback_only(sockets: set[tuple[str, int]], port: int) -> bool:
    """The port is open, but only on a loopback address."""
    addrs = {a for a, p in sockets if p == port}
    return bool(addrs) and all(a.startswith("127.") or a in ("::1", "::ffff:127.0.0.1") for a in addrs)
