"""Hostile values in every field that reaches a generated line: they stay inert.

Values from the Dockerfile (WORKDIR, VOLUME, USER, COPY destinations, CMD words) are quoted for
where they land: shell words in the RUN lines msb writes, a JSON array in COPY. Values from the
command line or a configuration file (user, mirror, extra-paths, digests) that hold a newline or
a control character, or leave the working directory, are usage errors (exit 2).
"""
from __future__ import annotations

import re

import pytest

from msbrewrite import Options, convert
from msbrewrite.core.config import ConfigError, find
from msbrewrite.model.dockerfile import parse
from one_line_errors import assert_one_line_error, msb

PAYLOAD = "id>msb-PWNED"     # no blank or slash: it survives as one word and one path part
TICKS = f"`{PAYLOAD}`"
SUBST = f"$({PAYLOAD})"


def _inert(line: str, payload: str) -> bool:
    """Every occurrence of `payload` in a shell line lies inside single quotes."""
    quote, i, starts = None, 0, set()
    for m in re.finditer(re.escape(payload), line):
        starts.add(m.start())
    while i < len(line):
        if i in starts and quote != "'":
            return False
        ch = line[i]
        if quote == "'":
            quote = None if ch == "'" else quote
        elif ch == "\\":
            i += 1
        elif ch == "'" and quote is None:
            quote = "'"
        elif ch == '"':
            quote = None if quote == '"' else '"'
        i += 1
    return True


def _generated_runs(before: str, after: str) -> list[str]:
    """RUN instructions of the output that the input does not have (msb wrote them)."""
    original = {ins.raw.strip() for ins in parse(before).instructions}
    return [ins.raw for ins in parse(after).instructions if ins.keyword == "RUN" and ins.raw.strip() not in original]


def _copies(after: str) -> list[list[str]]:
    out = []
    for ins in parse(after).stages[-1].instructions:
        if ins.keyword == "COPY":
            out.append(list(ins.json_args) if ins.is_json else ins.args.split())
    return out


CASES = {
    # the Go collect step runs `find` in the build directory
    "go-workdir-collect": (f"FROM golang:1.22\nWORKDIR /app{TICKS}\nCOPY . .\nRUN go build ./...\n"
                           "CMD [\"/bin/sh\", \"-c\", \"exec ./server\"]\n", Options()),
    # the VOLUME mount points are created with `mkdir -p`
    "volume": (f"FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /s .\nVOLUME [\"/data{TICKS}\"]\n"
               "USER 1000\nCMD [\"/s\"]\n", Options()),
    # `CMD go run` becomes a `go build` line with the CMD's words
    "go-run-words": ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
                     f"CMD [\"go\", \"run\", \"-ldflags\", \"-X main.v=1;{PAYLOAD}\", \".\"]\n", Options()),
    # Python prunes the app directory and creates the runtime user
    "python-workdir-user": (f"FROM python:3.12-slim\nWORKDIR \"/my app/{TICKS}\"\nCOPY . .\n"
                            f"RUN pip install -r requirements.txt\nUSER app{TICKS}\nCMD [\"gunicorn\", \"app:app\"]\n",
                            Options()),
    "python-chown-user": ("FROM python:3.12-slim\nWORKDIR /app\nRUN useradd app\nUSER app\nCOPY . .\n"
                          f"RUN pip install --user -r requirements.txt\nUSER app{SUBST}\n"
                          "CMD [\"gunicorn\", \"app:app\"]\n", Options()),
    # Rust's collect step and its error message name the target directory
    "rust-collect": (f"FROM rust:1.80\nWORKDIR /srv/{TICKS}\nCOPY . .\nRUN cargo build --release\n"
                     "CMD [\"/bin/sh\", \"-c\", \"exec /usr/local/bin/app\"]\n", Options()),
    # Java's jar collect loop and `cd` into the project
    "java-collect": (f"FROM maven:3.9-eclipse-temurin-21\nWORKDIR /w/{TICKS}\nCOPY . .\nRUN mvn -B package\n"
                     "CMD java -jar target/*.jar\n", Options()),
    # Node: a global tool installed again in the runtime
    "node-global-tool": ("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
                         f"RUN npm install -g 'pm2@5;{PAYLOAD}'\nCMD [\"pm2-runtime\", \"server.js\"]\n", Options()),
    # an extra path with a blank goes into a COPY as one word
    "extra-path-blank": ("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /s .\nCMD [\"/s\"]\n",
                         Options(extra_paths=["conf/my app.yaml"])),
}


# cases whose hostile value must reach a RUN line msb writes (else the case tests nothing)
REACHES_A_RUN = {"go-workdir-collect", "volume", "go-run-words", "python-workdir-user", "python-chown-user",
                 "rust-collect", "java-collect", "node-global-tool"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_values_from_the_dockerfile_stay_inert(case):
    text, options = CASES[case]
    result = convert(text, None, options)
    assert result.status == "converted", result.reason
    runs = _generated_runs(text, result.text)
    if case in REACHES_A_RUN:
        assert any(PAYLOAD in line for line in runs), runs
    for line in runs:
        for payload in (PAYLOAD,):
            assert _inert(line, payload), line
    for args in _copies(result.text):
        # --from/--chown are flags; what is left is exactly one source and one destination
        words = [w for w in args if not w.startswith("--")]
        assert len(words) == 2, args
    parsed = parse(result.text)
    assert len(parsed.stages) == 2


@pytest.mark.parametrize("field,value", [
    ("user", "app\nRUN id"), ("user", "app;id"), ("mirror", "r.example.com\nRUN id"), ("mirror", "r.example.com hub"),
    ("extra_paths", ["a\nRUN id"]), ("extra_paths", ["../../etc/shadow"]), ("extra_paths", ["/etc/shadow"]),
    ("digests", {"img\nRUN id": "sha256:" + "0" * 64}),
])
def test_hostile_options_are_usage_errors(field, value):
    text = "FROM golang:1.22\nRUN go build -o /s .\nCMD [\"/s\"]\n"
    result = convert(text, None, Options(**{field: value}))
    assert result.status == "refused" and result.exit_code == 2 and result.reason_code == "bad-option"


@pytest.mark.parametrize("line", [
    'user = "app\\nRUN id"', 'mirror = "r.example.com/hub\\nRUN id"', 'extra-paths = ["x\\nRUN id"]',
    'extra-paths = ["../../etc/shadow"]', 'exclude = ["a\\u001b[31m"]',
    '[digests]\n"img\\nRUN id" = "sha256:' + "0" * 64 + '"',
])
def test_hostile_configuration_values_are_rejected(tmp_path, line):
    (tmp_path / ".msb.toml").write_text(line + "\n")
    with pytest.raises(ConfigError):
        find(tmp_path)


def test_hostile_user_on_the_command_line(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_text("FROM golang:1.22\nRUN go build -o /s .\nCMD [\"/s\"]\n")
    assert_one_line_error(msb("convert", path, "--user", "app\nRUN id"), 2, "--user")
    assert_one_line_error(msb("check", path, "--user", "app\nRUN id"), 2, "--user")


def test_a_control_character_from_the_input_is_refused():
    result = convert("FROM golang:1.22\nWORKDIR /a\x1bb\nRUN go build -o x .\nCMD [\"./x\"]\n")
    assert result.status == "refused" and result.exit_code == 2 and result.reason_code == "control-character"
