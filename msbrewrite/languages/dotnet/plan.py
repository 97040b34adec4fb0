""".NET: `dotnet publish` in the SDK image, the published folder on aspnet, runtime or runtime-deps."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import runtime
from msbrewrite.model.analysis import StageFacts, command_argv
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import sh_words
from msbrewrite.model.shell import Command, resolve
from msbrewrite.languages.dotnet import project as dp
from msbrewrite.languages.common import copy_config_args
from msbrewrite.languages.dotnet.detect import NAME, _sdk_image
from msbrewrite.support import lazy_re

BUILD_ENV = {"DOTNET_CLI_TELEMETRY_OPTOUT", "DOTNET_NOLOGO", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE", "NUGET_PACKAGES",
             "NUGET_XMLDOC_MODE", "DOTNET_CLI_HOME", "DOTNET_USE_POLLING_FILE_WATCHER", "BUILD_CONFIGURATION",
             "MSBUILDDEBUGPATH", "DOTNET_GENERATE_ASPNET_CERTIFICATE", "NUGET_FALLBACK_PACKAGES"}
PUBLISH_DIR = "/app/publish"
_URL_PORT_RE = lazy_re.compile(r":(\d{1,5})(?:/|;|$)")


def _apt_sdk_version(facts: StageFacts) -> str | None:
    for pkg in facts.packages:
        m = re.fullmatch(r"dotnet-sdk-(\d+\.\d+)(=.*)?", pkg)
        if m:
            return m.group(1)
    return None


class DotnetPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "dotnet.Dockerfile.j2", "mcr.microsoft.com/dotnet/aspnet")
        self.project: dp.Project | None = None
        self.publish: dp.DotnetCommand | None = None
        self.publish_cmd: Command | None = None
        self.out_dir: str | None = None

    # ------------------------------------------------------------ the publish step
    def find_publish(self) -> None:
        facts = self.facts
        pubs = [c for c in facts.find("dotnet", "publish")]
        if pubs:
            self.publish_cmd = pubs[-1]
            self.publish = dp.parse_command(self.publish_cmd.argv)
            self.project = self._load(self.publish.target, self.publish_cmd.cwd)
            if self.publish.output:
                self.out_dir = resolve(self.publish.output, self.publish_cmd.cwd)
            else:
                self.out_dir = self._default_output()

    def _load(self, target: str | None, cwd: str) -> dp.Project | None:
        facts = self.facts
        if not facts.context:
            return None
        rel = facts.context_path(cwd)
        if rel is None:
            return None
        path = dp.find_project(facts.context, "" if rel == "." else rel, target)
        return dp.load_project(facts.context, path) if path else None

    def _default_output(self) -> str | None:
        """bin/<Configuration>/<tfm>/[<rid>/]publish under the project folder (publish without -o)."""
        pub, proj = self.publish, self.project
        if proj is None:
            return None
        tfm = pub.framework or (proj.frameworks[0] if len(proj.frameworks) == 1 else None)
        version = proj.version()
        if not tfm or not version:
            return None
        config = pub.configuration or ("Release" if int(version.split(".")[0]) >= 8 else "Debug")
        rid = pub.runtime_id or proj.runtime_id
        project_dir = posixpath.dirname(posixpath.join(self.publish_cmd.cwd, self._builder_rel(proj.path)))
        parts = [project_dir, "bin", config, tfm] + ([rid] if rid else []) + ["publish"]
        return posixpath.normpath(posixpath.join(*parts))

    def _builder_rel(self, rel: str) -> str:
        """A context-relative project path as seen from the publish command's folder."""
        base = self.facts.context_path(self.publish_cmd.cwd) or "."
        return posixpath.relpath(rel, base if base != "." else ".")

    def add_publish(self, run: dp.DotnetCommand | None) -> None:
        """The original only builds or runs: publish in the builder, as `dotnet run` would have built."""
        facts, plan = self.facts, self.plan
        target = run.target if run else None
        builds = facts.find("dotnet", "build")
        if target is None and builds:
            target = dp.parse_command(builds[-1].argv).target
        words = ["dotnet", "publish"] + ([target] if target else []) + \
            ["-c", (run.configuration if run and run.configuration else "Release"), "-o", PUBLISH_DIR]
        if run and run.framework:
            words += ["-f", run.framework]
        plan.builder_append.append("# publish what the start command used to build and run\nRUN " + sh_words(words))
        plan.decisions.append(f"added to the builder: `{' '.join(words)}` (the original only "
                              f"{'ran `dotnet run`' if run else 'built'}; the runtime has no SDK)")
        self.out_dir = PUBLISH_DIR
        self.project = self._load(target, facts.workdir)
        self.publish = dp.DotnetCommand("publish", target=target)

    # ------------------------------------------------------------ what runs
    def self_contained(self) -> bool:
        pub, proj = self.publish, self.project
        if pub and (pub.aot or pub.self_contained):
            return True
        if proj and (proj.aot or proj.self_contained) and not (pub and pub.self_contained is False):
            return True
        return False

    def aot(self) -> bool:
        return bool((self.publish and self.publish.aot) or (self.project and self.project.aot))

    def assembly(self, entry: list[str]) -> str:
        if self.project:
            return self.project.name
        if entry[:2] == ["dotnet", "run"]:
            target = dp.parse_command(entry).target or (self.publish.target if self.publish else None)
            name = posixpath.basename((target or "").rstrip("/"))
            if name and name not in (".", ".."):
                name = name.rsplit(".", 1)[0] if name.endswith(dp.PROJECT_SUFFIXES) else name
                self.plan.decisions.append(f"assembly {name} taken from `--project {target}` (the project file is "
                                           "not in the context; a project's assembly is named after it)")
                return name
            raise Refusal("`dotnet run` builds the project of its folder, which is not in the context: the assembly "
                          "name is unknown; convert with the build context", reason="artifact-not-found")
        for w in entry[1:2] if entry[:1] == ["dotnet"] else entry[:1]:
            name = posixpath.basename(w)
            return name[:-4] if name.endswith(".dll") else name
        raise Refusal("the assembly the image runs is unknown: no project file in the context and no "
                      "`dotnet <App>.dll` start command", reason="artifact-not-found")

    def rewrite(self, argv: list[str]) -> list[str] | None:
        """`dotnet out/App.dll` -> `dotnet App.dll` in the published folder; `dotnet run` -> the DLL."""
        if not argv or argv[0] != "dotnet" or len(argv) < 2:
            return None
        if argv[1] == "run":
            run = dp.parse_command(argv)
            return self._start(self.assembly(argv), list(run.app_args))
        if argv[1].endswith(".dll"):
            return self._start(posixpath.basename(argv[1])[:-4], argv[2:])
        return None

    def _start(self, name: str, args: list[str]) -> list[str]:
        if self.self_contained():
            return [f"./{name}", *args]
        return ["dotnet", f"{name}.dll", *args]

    # ------------------------------------------------------------ the base
    def base(self) -> str:
        facts = self.facts
        image = facts.image.split("@")[0]
        repo, tag = (image.rsplit(":", 1) + [""])[:2] if ":" in image.rsplit("/", 1)[-1] else (image, "")
        if "$" in image or not _sdk_image(facts):
            # an SDK installed with apt (`dotnet-sdk-8.0`) on another base: Microsoft's images of that version
            repo, tag = "mcr.microsoft.com/dotnet/sdk", _apt_sdk_version(facts) or ""
            if not tag and not (self.project and self.project.version()):
                raise Refusal(f"{facts.image} is not a .NET SDK image and the SDK version it installs is unknown: "
                              "build FROM mcr.microsoft.com/dotnet/sdk:<version>", reason="no-sdk-image")
            self.plan.decisions.append(f"{facts.image} is not an SDK image: the runtime is Microsoft's image of the "
                                       "same .NET version")
        m = re.match(r"(\d+\.\d+)(?:\.\d+)?(-[\w.-]+)?$", tag)
        version = m.group(1) if m else (self.project.version() if self.project else None)
        suffix = (m.group(2) or "") if m else ""
        if version is None:
            version = "latest"
            self.plan.warnings.append(f"the SDK image {facts.image} names no version and the project file gives "
                                      "none: the runtime image is `latest`; pin the version the SDK builds for")
        if self.project and self.project.version() and m and self.project.version() != version:
            version = self.project.version()
            self.plan.decisions.append(f"the project targets .NET {version}: the runtime is {version}, not the "
                                       f"SDK's {m.group(1)}")
        if self.self_contained():
            flavour = "runtime-deps"
            why = "native AOT" if self.aot() else "self-contained"
            self.plan.decisions.append(f"{why} publish: runtime-deps carries only what the native host needs")
        elif self.project is None:
            flavour = "aspnet"
            self.plan.decisions.append("project file not in the context: aspnet, which runs console apps too")
        elif self.project.web:
            flavour = "aspnet"
            self.plan.decisions.append(f"{self.project.path} uses {self.project.sdk}: the ASP.NET Core runtime")
        else:
            flavour = "runtime"
            self.plan.decisions.append(f"{self.project.path} is a console project ({self.project.sdk}): "
                                       "the .NET runtime without ASP.NET Core")
        base = repo.rsplit("/", 1)[0] + "/" + flavour
        if "alpine" in suffix:
            self.plan.warnings.append("Alpine .NET runtime images run in globalization-invariant mode (the SDK "
                                      "image has ICU): culture-specific formatting may differ")
        return f"{base}:{version}{suffix}"

    # ------------------------------------------------------------ plan
    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        self.find_publish()
        entry = command_argv(facts.entrypoint) or command_argv(facts.cmd) or []
        run = dp.parse_command(entry) if entry[:2] == ["dotnet", "run"] else None
        if self.publish is None:
            if entry[:2] == ["dotnet", "watch"]:
                raise Refusal("the start command runs `dotnet watch`, a development loop: keep it single-stage",
                              reason="dev-server")
            if run is None and not facts.find("dotnet", "build") and not (entry[:1] == ["dotnet"]):
                raise Refusal(".NET image, but no dotnet publish, dotnet build or dotnet run found",
                              reason="artifact-not-found")
            self.add_publish(run)
        if self.out_dir is None:
            self.out_dir = self._out_from_entry(entry)
        if self.out_dir is None:
            raise Refusal(f"`{' '.join(self.publish_cmd.argv[:4])}` has no -o and its default output folder "
                          "depends on the project file, which is not in the context", reason="artifact-not-found")
        if self.publish and self.publish_cmd is not None and run is not None:
            plan.decisions.append("the start command ran `dotnet run`: the runtime runs the published DLL")
        if run is not None and facts.context and facts.context.glob("*Properties/launchSettings.json"):
            plan.warnings.append("`dotnet run` applied Properties/launchSettings.json (URLs, environment); the "
                                 "published app does not: set ASPNETCORE_URLS or ASPNETCORE_ENVIRONMENT if it relied "
                                 "on them")
        plan.runtime_base = self.base()
        plan.copy(self.out_dir, self.out_dir, "the published app (dotnet publish)")
        plan.workdir = self.out_dir
        plan.decisions.append(f"WORKDIR {self.out_dir}: the published folder is the content root, where "
                              "appsettings*.json and wwwroot are published")
        copy_config_args(facts, plan, [])
        runtime.entry_script(facts, plan, entry)
        runtime.entry(facts, plan, self.rewrite)
        if plan.entrypoint is None and plan.cmd is None:
            plan.entrypoint = self._start(self.assembly([]), [])
            plan.decisions.append("the original had no CMD; the runtime runs the published app")
        for value in (plan.entrypoint, plan.cmd):
            words = value if isinstance(value, list) else (value or "").split()
            if words[:2] in (["dotnet", "build"], ["dotnet", "publish"], ["dotnet", "restore"]) or \
                    "dotnet run" in " ".join(words):
                raise Refusal("the start command still runs the SDK (`dotnet build/run`) inside a shell command; "
                              "start the published app, then convert", reason="entrypoint-uses-build-tool")
        runtime.finish(facts, plan, options, shell_base=plan.runtime_base)
        self._privileged_port()
        return plan

    def _out_from_entry(self, entry: list[str]) -> str | None:
        """The published folder named by `dotnet bin/Release/net8.0/publish/App.dll`."""
        if entry[:1] == ["dotnet"] and len(entry) > 1 and entry[1].endswith(".dll") and "/" in entry[1]:
            self.plan.decisions.append(f"published folder taken from the start command ({entry[1]})")
            return posixpath.dirname(resolve(entry[1], (self.facts.entrypoint or self.facts.cmd).workdir
                                             or self.facts.workdir))
        return None

    def _privileged_port(self) -> None:
        """.NET 8 images run as `app`: an app told to listen below 1024 keeps root, as it had."""
        plan, env = self.plan, self.facts.env
        if not plan.user or plan.user.split(":")[0] not in ("app", "1654") or self.facts.user:
            return
        ports = [int(p) for key in ("ASPNETCORE_URLS", "URLS") for p in _URL_PORT_RE.findall(env.get(key, ""))]
        ports += [int(p) for key in ("ASPNETCORE_HTTP_PORTS", "HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS")
                  for p in re.findall(r"\d+", env.get(key, ""))]
        low = [p for p in ports if p < 1024]
        if low:
            plan.user = None
            plan.decisions = [d for d in plan.decisions if "base image's user" not in d]
            plan.decisions.append(f"runtime runs as root: the app listens on port {low[0]}, which the image's "
                                  "`app` user cannot bind")


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return DotnetPlanner(facts, options).build()
