"""Round 3 fidelity: the runtime Java from the build, artifacts carried exactly, junk left out."""
from __future__ import annotations

import pytest
from conftest import make_context

from msbrewrite import convert

JAR_CMD = 'WORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD ["java", "-jar", "target/app.jar"]\n'


# ------------------------------------------------------------------ 6. the runtime Java from the build

@pytest.mark.parametrize("fetch,major", [
    ("RUN curl -fsSLo /tmp/jdk.tgz https://github.com/adoptium/temurin21-binaries/releases/download/"
     "jdk-21.0.3%2B9/OpenJDK21U-jdk_x64_linux_hotspot_21.0.3_9.tar.gz && tar -xzf /tmp/jdk.tgz -C /opt", 21),
    ("RUN wget -q https://api.adoptium.net/v3/binary/latest/17/ga/linux/x64/jdk/hotspot/normal/eclipse -O /j.tgz", 17),
    ("ADD https://corretto.aws/downloads/latest/amazon-corretto-21-x64-linux-jdk.tar.gz /opt/", 21),
    ("ARG JDK=17\nRUN curl -L https://download.java.net/java/GA/jdk${JDK}/openjdk-${JDK}_linux-x64_bin.tar.gz | tar -xz", 17),
    ('RUN curl -s https://get.sdkman.io | bash\n'
     'RUN bash -c "source /root/.sdkman/bin/sdkman-init.sh && sdk install java 21.0.2-tem && sdk install maven"', 21),
])
def test_a_jdk_the_build_downloads_names_the_runtime_java(fetch, major):
    text = f"FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y curl\n{fetch}\n{JAR_CMD}"
    result = convert(text)
    assert result.status == "converted", result.reason
    assert result.runtime_base == f"gcr.io/distroless/java{major}-debian12:nonroot"
    assert result.decisions[0].startswith(f"Java {major} (JDK ")


def test_a_library_jar_named_for_a_jdk_is_not_a_jdk():
    """Bouncy Castle's bcprov-jdk18on runs on any Java 8+: it names no JDK the build runs on."""
    text = ("FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y openjdk-17-jdk maven curl\n"
            "RUN curl -o /opt/bc.jar https://repo1.maven.org/maven2/org/bouncycastle/bcprov-jdk18on/1.78/"
            f"bcprov-jdk18on-1.78.jar\n{JAR_CMD}")
    assert convert(text).decisions[0].startswith("Java 17 (package openjdk-17-jdk)")


GRADLE_11 = ('FROM gradle:8.5-jdk11\nWORKDIR /home/gradle/src\nCOPY . .\nRUN gradle bootJar --no-daemon\n'
             'CMD ["java", "-jar", "build/libs/app.jar"]\n')


@pytest.mark.parametrize("script", [
    "java { toolchain { languageVersion = JavaLanguageVersion.of(17) } }\n",
    "java {\n  sourceCompatibility = JavaVersion.VERSION_11\n  targetCompatibility = JavaVersion.VERSION_17\n}\n",
    "kotlin { jvmToolchain(17) }\n",
])
def test_a_gradle_level_above_the_builder_jdk_wins(tmp_path, script):
    """A toolchain compiles for 17 on a JDK 11 builder: JRE 11 would stop with UnsupportedClassVersionError."""
    ctx = make_context(tmp_path, {"settings.gradle": "rootProject.name = 'app'\n",
                                  "build.gradle": "plugins { id 'org.springframework.boot' version '3.2.0' }\n" + script})
    result = convert(GRADLE_11, ctx)
    assert result.runtime_base == "gcr.io/distroless/java17-debian12:nonroot"
    assert result.decisions[0] == ("Java 17 (the Java level set in the build file; "
                                   "above 11 (builder image gradle:8.5-jdk11))")


POM = ('<project xmlns="http://maven.apache.org/POM/4.0.0"><artifactId>{aid}</artifactId><version>1</version>'
       '{extra}</project>')


def test_a_maven_module_level_above_the_builder_jdk_wins(tmp_path):
    ctx = make_context(tmp_path, {
        "pom.xml": POM.format(aid="root", extra="<packaging>pom</packaging><modules><module>web</module></modules>"
                                                "<properties><maven.compiler.release>11</maven.compiler.release>"
                                                "</properties>"),
        "web/pom.xml": POM.format(aid="web", extra="<properties><java.version>17</java.version></properties>")})
    text = ('FROM maven:3.8.6-openjdk-11\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\n'
            'CMD ["java", "-jar", "web/target/web-1.jar"]\n')
    assert convert(text, ctx).runtime_base == "gcr.io/distroless/java17-debian12:nonroot"


def test_a_maven_command_line_level_counts(tmp_path):
    ctx = make_context(tmp_path, {"pom.xml": POM.format(aid="app", extra="")})
    text = ('FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn -B package -Dmaven.compiler.release=21\n'
            'CMD ["java", "-jar", "target/app-1.jar"]\n')
    assert convert(text, ctx).runtime_base == "gcr.io/distroless/java21-debian12:nonroot"


# ------------------------------------------------------------------ 7. artifacts

WORKSPACE = {"Cargo.toml": '[workspace]\nmembers = ["crates/*"]\nresolver = "2"\n',
             "crates/api/Cargo.toml": '[package]\nname = "api"\nversion = "0.1.0"\nedition = "2021"\n',
             "crates/api/src/main.rs": 'fn main() { println!("api ready"); }\n',
             "crates/worker/Cargo.toml": '[package]\nname = "worker"\nversion = "0.1.0"\nedition = "2021"\n',
             "crates/worker/src/main.rs": 'fn main() { println!("worker ready"); }\n',
             "crates/shared/Cargo.toml": '[package]\nname = "shared"\nversion = "0.1.0"\nedition = "2021"\n',
             "crates/shared/src/lib.rs": "pub fn id() -> u32 { 7 }\n"}
RUST_NO_CMD = "FROM rust:1.79\nWORKDIR /usr/src/fleet\nCOPY . .\nRUN cargo build --release\n"


def _collect_step(text: str) -> str:
    step = next(block for block in text.split("\n\n") if "# collect the binaries" in block)
    return step.split("RUN ", 1)[1].replace("\\\n", "\n")


@pytest.mark.parametrize("built", [[], ["api"], ["api", "worker"], ["app", "zeta"]])
def test_the_collect_step_never_fails_and_carries_every_binary(tmp_path, built):
    """Without the context the names are unknown: the step copies every executable, whatever their
    number, and `app` names the only one (the first by name) so the ENTRYPOINT has a target."""
    import subprocess
    result = convert(RUST_NO_CMD)
    assert result.status == "converted", result.reason
    assert "COPY --from=builder /tmp/msb-bin/ /usr/local/bin/" in result.text
    assert result.text.rstrip().endswith('ENTRYPOINT ["/usr/local/bin/app"]')
    release = tmp_path / "target/release"
    (release / "deps").mkdir(parents=True)
    for name in built + ["libshared.rlib", "api.d"]:
        (release / name).write_text(name)
        (release / name).chmod(0o755 if "." not in name else 0o644)
    out = tmp_path / "out"
    script = _collect_step(result.text).replace("/tmp/msb-bin", str(out)).replace("/usr/src/fleet", str(tmp_path))
    proc = subprocess.run(["sh", "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    carried = sorted(p.name for p in out.iterdir())
    assert carried == sorted(set(built) | ({"app"} if built else set()))
    if built:
        assert (out / "app").read_text() == sorted(built)[0]


def test_a_workspace_with_context_carries_every_binary_and_says_so(tmp_path):
    ctx = make_context(tmp_path, WORKSPACE)
    result = convert(RUST_NO_CMD, ctx)
    copies = [line for line in result.text.splitlines() if line.startswith("COPY --from=builder")]
    assert copies == ["COPY --from=builder /usr/src/fleet/target/release/api /usr/local/bin/api",
                      "COPY --from=builder /usr/src/fleet/target/release/worker /usr/local/bin/worker"]
    assert "the build makes 2 binaries (api, worker): every one is copied to /usr/local/bin" in result.decisions
    assert any("ENTRYPOINT runs /usr/local/bin/api, the first" in w for w in result.warnings)


@pytest.mark.parametrize("with_context", [False, True])
def test_a_shell_command_running_two_binaries_keeps_both(tmp_path, with_context):
    text = RUST_NO_CMD + 'CMD ["sh", "-c", "./target/release/api & exec ./target/release/worker"]\n'
    result = convert(text, make_context(tmp_path, WORKSPACE) if with_context else None)
    assert "COPY --from=builder /usr/src/fleet/target/release/api /usr/local/bin/api" in result.text
    assert "COPY --from=builder /usr/src/fleet/target/release/worker /usr/local/bin/worker" in result.text
    assert result.text.rstrip().endswith('CMD ["sh", "-c", "/usr/local/bin/api & exec /usr/local/bin/worker"]')


GLOB_JAR = ("FROM eclipse-temurin:17-jdk\nWORKDIR /opt/app\nCOPY build/libs/*SNAPSHOT.jar app.jar\n"
            "RUN touch /opt/app/started\nENTRYPOINT [\"java\", \"-jar\", \"app.jar\"]\n")


@pytest.mark.parametrize("with_context", [False, True])
def test_a_glob_copied_onto_a_file_name_is_a_file(tmp_path, with_context):
    """`COPY build/libs/*SNAPSHOT.jar app.jar` writes the file app.jar: staging it as a directory
    (`tar -C /opt/app/app.jar`) failed the build."""
    ctx = make_context(tmp_path, {"build/libs/demo-0.1-SNAPSHOT.jar": "jar"}) if with_context else None
    result = convert(GLOB_JAR, ctx)
    assert result.status == "converted", result.reason
    assert "tar -C /opt/app/app.jar" not in result.text
    assert "COPY --from=builder /opt/app/app.jar /opt/app/app.jar" in result.text


def test_a_glob_that_matches_a_folder_still_fills_the_destination(tmp_path):
    """`COPY conf* /etc/..` with a folder `config/` copies that folder's contents: an app directory."""
    ctx = make_context(tmp_path, {"config/app.yml": "a: 1\n", "app.jar": "jar"})
    text = ("FROM eclipse-temurin:17-jdk\nWORKDIR /srv\nCOPY app.jar app.jar\nCOPY conf* /srv/settings\n"
            "RUN touch /srv/started\nENTRYPOINT [\"java\", \"-jar\", \"app.jar\"]\n")
    result = convert(text, ctx)
    assert "tar -C /srv/settings" in result.text


RUST_ALPINE = ("FROM rust:1.80-alpine3.20\nRUN apk add --no-cache musl-dev {pkgs}\n{env}WORKDIR /app\nCOPY . .\n"
               "RUN cargo build --release\nCMD [\"./target/release/feeds\"]\n")


@pytest.mark.parametrize("pkgs,lib", [("openssl-dev pkgconfig", "libssl3"), ("libressl-dev", "libressl"),
                                      ("postgresql-dev", "libpq")])
def test_an_alpine_rust_build_linking_system_libraries_runs_on_the_same_alpine(pkgs, lib):
    """openssl-dev on rust:alpine: the binary may load libssl at run time; distroless static has no
    libssl and no musl loader, so the binary would not start there."""
    result = convert(RUST_ALPINE.format(pkgs=pkgs, env=""))
    assert result.runtime_base == "alpine:3.20"
    assert f"RUN apk add --no-cache libgcc {lib}" in result.text or \
        f"RUN apk add --no-cache {lib} libgcc" in result.text


@pytest.mark.parametrize("pkgs,env", [("", ""), ("openssl-dev openssl-libs-static", ""),
                                      ("openssl-dev", "ENV OPENSSL_STATIC=1\n")])
def test_an_alpine_rust_build_with_static_libraries_stays_static(pkgs, env):
    result = convert(RUST_ALPINE.format(pkgs=pkgs, env=env))
    assert result.runtime_base == "gcr.io/distroless/static-debian12:nonroot"


def test_rustflags_without_crt_static_link_musl_dynamically():
    result = convert(RUST_ALPINE.format(pkgs="", env='ENV RUSTFLAGS="-C target-feature=-crt-static"\n'))
    assert result.runtime_base == "alpine:3.20"
    assert "RUN apk add --no-cache libgcc" in result.text


# ------------------------------------------------------------------ 10. junk that ships

GO_APP = "FROM golang:1.22\nWORKDIR /srv/app\nCOPY . .\nRUN go build -o server .\nEXPOSE 8080\nCMD [\"./server\"]\n"
FLASK_APP = ("FROM python:3.12-slim\nWORKDIR /srv/app\nCOPY . .\nRUN pip install --no-cache-dir flask\n"
             "CMD [\"python\", \"app.py\"]\n")


def _staged(tmp_path, text: str, files: dict[str, str], appdir: str = "/srv/app") -> set[str]:
    """Run the conversion's staging step on a copy of the context: the files the runtime receives."""
    ctx = make_context(tmp_path / "ctx", files)
    result = convert(text, ctx)
    assert result.status == "converted", result.reason
    step = next(b for b in result.text.split("\n\n") if "the runtime's copy of" in b).split("RUN ", 1)[1]
    stage = tmp_path / "stage"
    script = step.replace("/tmp/msb-runtime", str(stage)).replace(appdir, str(ctx)).replace("\\\n", "\n")
    import subprocess
    proc = subprocess.run(["sh", "-c", script.replace("\n    &&", " &&").replace("\n        -o", " -o")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    root = stage / str(ctx).lstrip("/")
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}, result


def test_caches_editor_and_ci_junk_of_any_language_stay_out(tmp_path):
    files = {"main.go": "package main\n", "templates/index.html": "<h1>hi</h1>\n",
             "scripts/gen.py": "print(1)\n", "scripts/__pycache__/gen.cpython-312.pyc": "x", ".pytest_cache/v/cache/lastfailed": "{}",
             "notes/.ipynb_checkpoints/a-checkpoint.ipynb": "{}", "bitbucket-pipelines.yml": "pipelines: {}\n",
             ".devcontainer/devcontainer.json": "{}", "app.code-workspace": "{}"}
    kept, result = _staged(tmp_path, GO_APP, files)
    assert kept == {"templates/index.html", "scripts/gen.py"}
    report = " ".join(result.decisions)
    for said in ("caches: .pytest_cache/, notes/.ipynb_checkpoints/", "VCS and CI files: bitbucket-pipelines.yml",
                 "editor files: *.code-workspace, .devcontainer/"):
        assert said in report


def test_docs_notebooks_and_foreign_binaries_the_app_never_names_stay_out(tmp_path):
    files = {"app.py": "from flask import Flask\napp = Flask(__name__)\n",
             "docs/architecture.md": "# how it works\n", "explore.ipynb": "{}",
             "tools/windows/helper.exe": "MZ", "templates/index.html": "<p>ok</p>\n"}
    kept, result = _staged(tmp_path, FLASK_APP, files)
    assert kept == {"app.py", "templates/index.html"}
    report = " ".join(result.decisions)
    for said in ("docs the app never reads: docs/", "notebooks the app never opens: explore.ipynb",
                 "binaries for another platform: tools/windows/helper.exe"):
        assert said in report


def test_docs_notebooks_and_binaries_the_app_names_are_kept(tmp_path):
    """Nothing the app reads is dropped: a docs/ folder it serves, a notebook it runs, an installer
    its download page links to."""
    files = {"app.py": ("from flask import Flask, send_from_directory\napp = Flask(__name__)\n"
                        "@app.route('/manual/<path:p>')\ndef manual(p):\n    return send_from_directory('docs', p)\n"
                        "REPORT = 'weekly.ipynb'\n"),
             "docs/index.html": "<h1>manual</h1>\n", "weekly.ipynb": "{}",
             "static/client-setup.exe": "MZ", "templates/download.html": '<a href="/static/client-setup.exe">get</a>\n'}
    kept, _ = _staged(tmp_path, FLASK_APP, files)
    assert kept == set(files)
