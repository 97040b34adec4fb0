"""`--optimize` writes new RUN lines from words of the original (Maven and Gradle options, cargo
flags), from the context (Cargo.toml target paths, requirement file names) and from the plan (the
virtualenv path). Every hostile value in each of these places either reaches the tool as the one
argument the original passed, with nothing else run, or the step is left out with the reason.

The generated lines are not only read: they run, in a scratch folder, with the build tools
replaced by programs that record their arguments.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from msbrewrite import Options, convert
from msbrewrite.model.dockerfile import parse

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell to run the generated lines")

# each is inert in the original (single-quoted there), harmful if pasted raw
HOSTILE = ["a;touch PWNED", "a&&touch PWNED", "a|touch PWNED", "a>PWNED", "https://r/m2?a=1&b=2", "a b  c",
           "x*y", "it's", 'say "hi"', "tab\there", "é-ü", "back\\slash", "#hash", "~tilde"]
EXPANDS = ["$(touch PWNED)", "`touch PWNED`", "$HOME/x", "${HOME}"]
TOOLS = ("mvn", "gradle", "cargo", "pip", "pip3")


def _single_quoted(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


def _generated_runs(original: str, output: str) -> list[str]:
    """Shell text of the RUN lines the conversion added (flags such as --mount removed)."""
    before = {_shell_text(ins.raw) for ins in parse(original).instructions if ins.keyword == "RUN"}
    runs = [_shell_text(ins.raw) for ins in parse(output).instructions if ins.keyword == "RUN"]
    return [r for r in runs if r not in before]


def _shell_text(raw: str) -> str:
    """The shell command of a RUN line, without `RUN` and its flags."""
    text = re.sub(r"^\s*RUN\s+", "", raw.strip(), flags=re.I)
    while text.startswith("--"):
        text = text.split(None, 1)[1] if " " in text else ""
    return text.replace("\\\n", " ")


def _run_with_stubs(tmp_path: Path, script: str) -> list[list[str]]:
    """Run `script` in a scratch folder where the build tools only record their argv."""
    stubs, work, log = tmp_path / "stubs", tmp_path / "work", tmp_path / "argv.log"
    stubs.mkdir(exist_ok=True)
    work.mkdir(exist_ok=True)
    for tool in TOOLS:
        stub = stubs / tool
        # one line per call, the arguments separated by the unit separator
        stub.write_text(f'#!/bin/sh\n{{ printf "%s\\037" "$@"; printf "\\n"; }} >> "{log}"\n')
        stub.chmod(0o755)
    env = {"PATH": f"{stubs}:{os.environ.get('PATH', '/usr/bin:/bin')}", "HOME": str(tmp_path / "home")}
    subprocess.run(["sh", "-c", script], cwd=work, env=env, capture_output=True, timeout=300)
    assert not (work / "PWNED").exists(), f"a generated line ran a command: {script}"
    if not log.exists():
        return []
    return [line.split("\x1f")[:-1] for line in log.read_text(encoding="utf-8").split("\n") if line]


def _convert(dockerfile: str, context: Path):
    """The conversion, or None when it refused with a reason that names the value: a control
    character (a tab) no line may carry, or a path behind a variable it cannot resolve."""
    result = convert(dockerfile, context, Options(optimize=True))
    if result.status == "refused" and ("control character" in (result.reason or "")
                                       or result.reason_code == "unresolved-variable"):
        return None
    assert result.status == "converted", result.reason
    return result


def _check(tmp_path, dockerfile, context, value, want_argv, skip_words):
    """The generated dependency step passes `value` through whole, or is left out with a reason."""
    result = _convert(dockerfile, context)
    if result is None:
        return
    runs = _generated_runs(dockerfile, result.text)
    report = "\n".join(result.decisions)
    if not runs:
        assert re.search(skip_words, report), report
        return
    calls = [argv for script in runs for argv in _run_with_stubs(tmp_path, script)]
    assert any(want_argv(argv) for argv in calls), (runs, calls)


def _maven_app(tmp_path: Path, value: str) -> tuple[str, Path]:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "pom.xml").write_text("<project><artifactId>app</artifactId></project>\n")
    word = _single_quoted(f"-Dx={value}")
    return (f"FROM maven:3-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn -B {word} package\n"
            'CMD ["java", "-jar", "target/app.jar"]\n', ctx)


@pytest.mark.parametrize("value", HOSTILE + EXPANDS)
def test_maven_options(tmp_path, value):
    dockerfile, ctx = _maven_app(tmp_path, value)
    _check(tmp_path, dockerfile, ctx, value, lambda argv: f"-Dx={value}" in argv and "dependency:go-offline" in argv,
           r"no dependency layer: .*expansion depends on quoting")


def _gradle_app(tmp_path: Path, value: str) -> tuple[str, Path]:
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "build.gradle").write_text("plugins { id 'java' }\n")
    (ctx / "settings.gradle").write_text("rootProject.name = 'app'\n")
    word = _single_quoted(f"-Pv={value}")
    return (f"FROM gradle:jdk17\nWORKDIR /app\nCOPY . .\nRUN gradle build {word} --no-daemon\n"
            'CMD ["java", "-jar", "build/libs/app.jar"]\n', ctx)


@pytest.mark.parametrize("value", HOSTILE + EXPANDS)
def test_gradle_options(tmp_path, value):
    dockerfile, ctx = _gradle_app(tmp_path, value)
    _check(tmp_path, dockerfile, ctx, value, lambda argv: f"-Pv={value}" in argv and "dependencies" in argv,
           r"no dependency layer: .*expansion depends on quoting")


def _cargo_app(tmp_path: Path, bin_path: str = "src/main.rs", lib_path: str | None = None,
               target_dir: str = "out") -> tuple[str, Path]:
    ctx = tmp_path / "ctx"
    (ctx / "src").mkdir(parents=True)
    toml = '[package]\nname = "app"\nversion = "0.1.0"\n\n[[bin]]\nname = "app"\npath = ' + json.dumps(bin_path) + "\n"
    if lib_path:
        toml += "\n[lib]\npath = " + json.dumps(lib_path) + "\n"
    (ctx / "Cargo.toml").write_text(toml)
    for rel in filter(None, (bin_path, lib_path)):
        if not rel.startswith("/") and ".." not in rel:
            (ctx / rel).parent.mkdir(parents=True, exist_ok=True)
            (ctx / rel).write_text("fn main() {}\n")
    word = _single_quoted(target_dir)
    return (f"FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release --target-dir {word}\n"
            'CMD ["/app/out/release/app"]\n', ctx)


SAFE_IN_A_FILE_NAME = [v for v in HOSTILE if "/" not in v] + ["$(touch PWNED)", "`touch PWNED`", "$HOME"]


@pytest.mark.parametrize("value", SAFE_IN_A_FILE_NAME)
def test_cargo_target_paths(tmp_path, value):
    bin_path, lib_path = f"src/bin {value}.rs", f"src/lib {value}.rs"
    dockerfile, ctx = _cargo_app(tmp_path, bin_path, lib_path)
    result = _convert(dockerfile, ctx)
    runs = _generated_runs(dockerfile, result.text)
    assert runs, result.decisions
    calls = [argv for script in runs for argv in _run_with_stubs(tmp_path, script)]
    assert ["build", "--release", "--target-dir", "out"] in calls
    assert not (tmp_path / "work" / bin_path).exists(), "the placeholder was not removed by its exact name"
    assert (tmp_path / "work" / "src").is_dir()


@pytest.mark.parametrize("value", HOSTILE + EXPANDS)
def test_cargo_target_dir(tmp_path, value):
    dockerfile, ctx = _cargo_app(tmp_path, target_dir=f"t{value}")
    _check(tmp_path, dockerfile, ctx, value,
           lambda argv: argv[:2] == ["clean", "-p"] and f"t{value}" in argv,
           r"no dependency layer: .*expansion depends on quoting")


@pytest.mark.parametrize("path", ["/etc/passwd", "../outside.rs", "src/../../x.rs"])
def test_cargo_targets_outside_the_crate_are_not_touched(tmp_path, path):
    dockerfile, ctx = _cargo_app(tmp_path, bin_path=path)
    result = _convert(dockerfile, ctx)
    assert not _generated_runs(dockerfile, result.text)
    assert any("outside the crate" in d for d in result.decisions), result.decisions


@pytest.mark.parametrize("value", SAFE_IN_A_FILE_NAME)
def test_requirement_file_names(tmp_path, value):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    name = f"req {value}.txt"
    (ctx / name).write_text("flask\n")
    (ctx / "app.py").write_text("import flask\n")
    dockerfile = (f"FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install -r {_single_quoted(name)}\n"
                  'CMD ["python", "app.py"]\n')
    result = _convert(dockerfile, ctx)
    copies = [i for i in parse(result.text).instructions if i.keyword == "COPY" and "./" in i.raw and name[:3] in i.raw]
    assert copies, result.text
    # the COPY names the file exactly as Docker reads its JSON form, `$` escaped
    args = json.loads(copies[0].raw.split(None, 1)[1]) if "[" in copies[0].raw else copies[0].raw.split()[1:]
    assert args[0].replace("\\$", "$") == name
    # the install itself is the original line, moved: it still passes the name whole
    installs = [i.raw for i in parse(result.text).instructions if i.keyword == "RUN" and "pip install" in i.raw]
    calls = [argv for raw in installs for argv in _run_with_stubs(tmp_path, _shell_text(raw))]
    assert ["install", "-r", name] in calls


@pytest.mark.parametrize("venv", ["/opt/my venv", "/opt/v$HOME", '/opt/say "hi"', "/opt/back\\slash"])
def test_virtualenv_path_reaches_env_whole(venv):
    dockerfile = (f"FROM python:3.11\nRUN python -m venv {_single_quoted(venv)}\n"
                  f"ENV VIRTUAL_ENV={json.dumps(venv).replace('$', chr(92) + '$')}\n"
                  "WORKDIR /app\nCOPY . .\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n")
    result = convert(dockerfile, None, Options())
    if "$" in venv and result.status == "refused":
        assert result.reason_code == "unresolved-variable", result.reason
        return
    assert result.status == "converted", result.reason
    runtime = parse(result.text).stages[-1]
    env = {}
    for ins in runtime.instructions:
        if ins.keyword == "ENV":
            env.update(dict(_docker_env_pairs(ins.raw)))
    assert env["VIRTUAL_ENV"] == venv
    assert env["PATH"] == f"{venv}/bin:$PATH"


def _docker_env_pairs(raw: str):
    """ENV key=value pairs as Docker reads them (quotes removed, backslash escapes applied)."""
    from dockerfile_parse import DockerfileParser
    parser = DockerfileParser(fileobj=__import__("io").BytesIO(("FROM scratch\n" + raw).encode()))
    for item in parser.structure:
        if item["instruction"] == "ENV":
            return list(_split_env(item["value"]))
    return []


def _split_env(value: str):
    i, out = 0, []
    while i < len(value):
        while i < len(value) and value[i] in " \t\\\n":
            i += 1
        if i >= len(value):
            break
        key_end = value.index("=", i)
        key, i = value[i:key_end], key_end + 1
        buf, quote = [], None
        while i < len(value):
            ch = value[i]
            if quote is None and ch in " \t":
                break
            if ch == "\\" and i + 1 < len(value) and (quote != "'"):
                if quote is None or value[i + 1] in '"\\$':
                    buf.append(value[i + 1])
                    i += 2
                    continue
            if ch in "'\"" and quote in (None, ch):
                quote = None if quote == ch else ch
            else:
                buf.append(ch)
            i += 1
        out.append((key, "".join(buf)))
    return out


@pytest.mark.parametrize("folder", ["/my cache", "/c,uid=0", "/c$HOME", '/c"q'])
def test_cache_folders_that_cannot_stand_in_a_mount_flag(folder):
    dockerfile = (f"FROM python:3.11\nENV PIP_CACHE_DIR={json.dumps(folder).replace('$', chr(92) + '$')}\n"
                  "WORKDIR /app\nCOPY . .\nRUN pip install flask\nCMD [\"python\", \"app.py\"]\n")
    result = convert(dockerfile, None, Options(optimize=True))
    assert result.status == "converted", result.reason
    assert "--mount=type=cache" not in result.text
    assert any("cannot be named in a --mount flag" in d for d in result.decisions), result.decisions


@pytest.mark.parametrize("requirement", ['flask>=3; python_version > "3.8"', "pkg @ https://h/p.whl?a=1&b=$(touch PWNED)",
                                         "x[a,b]>=1 ; sys_platform != 'win32'", "y @ https://h/`touch PWNED`.whl"])
def test_pep621_requirements_written_into_the_run_line(tmp_path, requirement):
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\ndependencies = '
                                        + json.dumps(["gunicorn", requirement]) + "\n")
    dockerfile = "FROM python:3.11\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"gunicorn\", \"app:app\"]\n"
    _check(tmp_path, dockerfile, ctx, requirement,
           lambda argv: argv[:1] == ["install"] and requirement in argv and "gunicorn" in argv, r"^$")
