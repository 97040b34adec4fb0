"""Go planner: output paths, binary names, cgo detection, glibc of the runtime."""
import pytest

from msbrewrite import Options, convert
from msbrewrite.languages.go.plan import GoPlanner
from msbrewrite.model.shell import Command
from stagefacts import stage_facts


def planner(tmp_path, dockerfile: str, files: dict[str, str] | None = None) -> GoPlanner:
    return GoPlanner(stage_facts(tmp_path, dockerfile, files), Options())


def build_cmd(line: str, cwd: str = "/app") -> Command:
    return Command(line.split(), {"GOPATH": "/go"}, cwd)


GOMOD = {"go.mod": "module github.com/acme/billing/v2\n\ngo 1.22\n"}


@pytest.mark.parametrize("line, want", [
    ("go build -o server .", ["/app/server"]),                           # relative to the build dir
    ("go build -o /usr/local/bin/server .", ["/usr/local/bin/server"]),  # absolute
    ("go build -o ../out/server .", ["/out/server"]),
    ("go build -o bin/ ./cmd/api", ["/app/bin/api"]),                    # a directory keeps the package name
    ("go build -o=/bin/x ./cmd/api", ["/bin/x"]),
    ("go build ./cmd/worker", ["/app/worker"]),
    ("go build main.go", ["/app/main"]),                                 # named after the first file
    ("go build .", ["/app/billing"]),                                    # module name without /v2
    ("go build", ["/app/billing"]),
    ("go build -ldflags -s -o svc .", ["/app/svc"]),                     # flag values are not packages
    ("go install ./cmd/api", ["/go/bin/api"]),
    ("go install .", ["/go/bin/billing"]),
    ("go install ./...", []),                                            # names unknown
])
def test_outputs(tmp_path, line, want):
    p = planner(tmp_path, "FROM golang:1.22\nWORKDIR /app\nCOPY . .\n", GOMOD)
    assert p.outputs(build_cmd(line)) == want


def test_gobin_overrides_gopath(tmp_path):
    p = planner(tmp_path, "FROM golang:1.22\n", {})
    cmd = Command(["go", "install", "./cmd/tool"], {"GOPATH": "/go", "GOBIN": "/opt/bin"}, "/src")
    assert p.outputs(cmd) == ["/opt/bin/tool"]


@pytest.mark.parametrize("module, want", [
    ("example.com/shop", "shop"),
    ("github.com/acme/shop/v3", "shop"),
    ("shop", "shop"),
    ('"example.com/quoted"', "quoted"),
])
def test_module_name(tmp_path, module, want):
    p = planner(tmp_path, "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n", {"go.mod": f"module {module}\n"})
    assert p.module_name("/src") == want


def test_module_name_of_a_subdirectory_module(tmp_path):
    files = {"go.work": "go 1.22\nuse ./svc/a\n", "svc/a/go.mod": "module example.com/svc/alpha\n"}
    p = planner(tmp_path, "FROM golang:1.22\nWORKDIR /w\nCOPY . .\n", files)
    assert p.module_name("/w/svc/a") == "alpha"


@pytest.mark.parametrize("dockerfile, files, cgo", [
    ("FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\n",
     {"go.mod": "module x\n", "main.go": "package main\nfunc main() {}\n"}, False),
    ("FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\n",
     {"go.mod": "module x\n", "main.go": 'package main\n\n// #include <stdio.h>\nimport "C"\nfunc main() {}\n'}, True),
    ("FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\n",
     {"go.mod": "module x\n", "db.go": 'package main\n\nimport (\n\t"fmt"\n\t"C"\n)\n'}, True),
    ("FROM golang:1.22\nCOPY . .\nRUN go build -o /a .\n",
     {"go.mod": "module x\n\nrequire github.com/mattn/go-sqlite3 v1.14.22\n"}, True),
    ("FROM golang:1.22\nCOPY . .\nRUN CGO_ENABLED=1 go build -o /a .\n", {"go.mod": "module x\n"}, True),
    ("FROM golang:1.22\nENV CGO_ENABLED=1\nCOPY . .\nRUN go build -o /a .\n", None, True),
    # no context: a C toolchain or C library headers are the only sign
    ("FROM golang:1.22\nRUN apt-get update && apt-get install -y libsqlite3-dev\nRUN go build -o /a .\n", None, True),
    ("FROM golang:1.22-alpine\nRUN apk add --no-cache gcc musl-dev\nRUN go build -o /a .\n", None, True),
    ("FROM centos:7\nRUN yum -y install gcc\nRUN go build -o /a .\n", None, True),
    ("FROM golang:1.22-alpine\nRUN apk add --no-cache git\nRUN go build -o /a .\n", None, False),
    # ... unless every build turns cgo off
    ("FROM golang:1.22-alpine\nRUN apk add gcc musl-dev\nRUN CGO_ENABLED=0 go build -o /a .\n", None, False),
])
def test_needs_cgo(tmp_path, dockerfile, files, cgo):
    assert planner(tmp_path, dockerfile, files).needs_cgo()[0] is cgo


@pytest.mark.parametrize("word, plain", [
    ("./server", True), ("/app/main.out", True), ("api", True),
    ("sh", False), ("/bin/bash", False), ("./start.sh", False), ("dumb-init", False), ("$APP", False),
])
def test_plain_program(word, plain):
    assert GoPlanner._plain_program(word) is plain


def runtime_stage(text: str) -> str:
    return text.split("\nFROM ")[-1]


@pytest.mark.parametrize("image, base", [
    ("golang:1.22", "gcr.io/distroless/base-debian12"),
    ("golang:1.22-bookworm", "gcr.io/distroless/base-debian12"),
    ("golang:1.23-bullseye", "gcr.io/distroless/base-debian12"),   # older glibc runs on Debian 12
    ("golang:1.25", "gcr.io/distroless/base-debian13"),            # floating tag: Debian 13 since 2025-08
    ("golang:latest", "gcr.io/distroless/base-debian13"),
    ("golang:1.24-trixie", "gcr.io/distroless/base-debian13"),
])
def test_cgo_runtime_glibc_is_at_least_the_builders(image, base):
    text = f"FROM {image}\nENV CGO_ENABLED=1\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\nCMD [\"/bin/app\"]\n"
    result = convert(text)
    assert result.status == "converted"
    assert runtime_stage(result.text).startswith(base + ":nonroot")


def test_static_binary_ignores_the_builder_glibc():
    result = convert("FROM golang:1.25\nWORKDIR /src\nCOPY . .\nRUN go build -o /bin/app .\nCMD [\"/bin/app\"]\n")
    assert "ENV CGO_ENABLED=0" in result.text
    assert runtime_stage(result.text).startswith("gcr.io/distroless/static-debian12:nonroot")


def test_go_install_named_by_cmd_is_found_in_gobin():
    text = "FROM golang:1.22\nWORKDIR /go/src/app\nCOPY . .\nRUN go install -v ./...\nCMD [\"app\"]\n"
    result = convert(text)
    assert "COPY --from=builder /go/bin/app /usr/local/bin/app" in result.text
    assert 'CMD ["/usr/local/bin/app"]' in result.text


def test_go_install_without_names_is_refused_with_the_line():
    result = convert("FROM golang:1.22\nWORKDIR /go/src/app\nCOPY . .\nRUN go install -v ./...\n")
    assert result.exit_code == 3 and result.reason_code == "artifact-not-found"
    assert result.reason.startswith("line 4: `go install -v ./...`")


def test_cmd_running_a_shell_is_not_taken_for_the_binary():
    text = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build\nCMD [\"sh\", \"-c\", \"./app\"]\n"
    result = convert(text)
    assert "/app/sh" not in result.text
    assert "collect the executables" in result.text


def test_whole_context_without_context_is_subtracted_in_the_builder():
    result = convert("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o server .\nCMD [\"./server\"]\n")
    # the builder stages /app minus Go sources, build files and credentials; the binary is copied on its own
    assert "tar -C /app --exclude=./vendor --exclude=./pkg/mod --exclude=./server -cf /tmp/msb-runtime.tar ." \
        in result.text
    assert "-name '*.go' -o -name go.mod" in result.text and "-name .npmrc" in result.text
    assert [a.source for a in result.artifacts] == ["/app/server", "/tmp/msb-runtime/"]


def test_script_calling_an_installed_binary_by_path_keeps_it(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/tool\n")
    (tmp_path / "run.sh").write_text("#!/bin/sh\nexec /go/bin/tool serve\n")
    text = "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go install .\nENTRYPOINT [\"./run.sh\"]\n"
    result = convert(text, tmp_path)
    assert "COPY --from=builder /go/bin/tool /go/bin/tool" in result.text
    # the script comes with the app directory, which keeps everything but Go sources and build files
    assert "COPY --from=builder --chown=10001:10001 /tmp/msb-runtime/ /" in result.text
    assert "run.sh" not in result.text.split("find \"$s\" -depth")[1].split("\n\n")[0]


def test_race_detector_keeps_cgo(tmp_path):
    dockerfile = "FROM golang:1.22\nCOPY . .\nRUN go test -race ./...\nRUN go build -o /a .\n"
    cgo, why = planner(tmp_path, dockerfile, {"go.mod": "module x\n"}).needs_cgo()
    assert cgo and "-race" in why


@pytest.mark.parametrize("run, moved", [
    ("go build -o app . && mv app /usr/local/bin/", "/usr/local/bin/app"),
    ("go build -o app . && cp app /usr/bin/server", "/usr/bin/server"),
    ("go build -o app . && install -m 0755 app /opt/", "/opt/app"),
    ("go build -o app . && mkdir -p /srv && mv app /srv", "/srv/app"),     # an existing directory
    ("go build -o app . && mv other /usr/local/bin/", "/src/app"),          # not our binary
])
def test_binary_moved_after_the_build(run, moved):
    result = convert(f"FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN {run}\nCMD [\"{moved}\"]\n")
    assert result.status == "converted", result.reason
    assert [a.source for a in result.artifacts][0] == moved


def test_go_run_next_to_a_build_runs_what_go_run_builds():
    result = convert("FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o /app/x .\nCMD [\"go\", \"run\", \".\"]\n")
    assert result.status == "converted", result.reason
    assert "RUN go build -o /out/app ." in result.text
    assert result.text.rstrip().endswith('CMD ["/usr/local/bin/app"]')


def test_asset_dirs_copied_without_context_follow_copy_semantics():
    text = ("FROM golang:1.22\nWORKDIR /app\nCOPY *.go go.mod ./\nCOPY templates/ /app/templates/\n"
            "COPY ./web/dist /app/public\nCOPY db/migrations /migrations\nCOPY static /app/\n"
            "RUN go build -o server .\nCMD [\"./server\"]\n")
    result = convert(text)
    # every directory the context was copied into is staged; /app and /migrations share one COPY of /
    assert [a.source for a in result.artifacts] == ["/app/server", "/tmp/msb-runtime/"]
    assert "RUN s=/tmp/msb-runtime/app " in result.text
    assert "RUN s=/tmp/msb-runtime/migrations " in result.text


def test_volume_mount_point_is_owned_by_the_runtime_user():
    text = "FROM golang:1.22\nWORKDIR /app\nCOPY . .\nRUN go build -o svc .\nVOLUME /var/lib/svc\nCMD [\"./svc\"]\n"
    result = convert(text)
    assert "RUN mkdir -p /var/lib/svc" in result.text
    assert "COPY --from=builder --chown=65532:65532 /var/lib/svc /var/lib/svc" in result.text
    assert "USER 65532:65532" in result.text
