"""Reading .NET project files (.csproj, .fsproj, .vbproj) and `dotnet` command lines."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.context import Context
from msbrewrite.languages.dotnet.detect import PROJECT_SUFFIXES
from msbrewrite.support.records import record

# options of `dotnet publish/build/run` that take a value
VALUE_OPTIONS = {"-c", "--configuration", "-o", "--output", "-r", "--runtime", "-f", "--framework", "-v",
                 "--verbosity", "--project", "-p", "--launch-profile", "-a", "--arch", "--os", "--source", "-s",
                 "--version-suffix", "--property", "--manifest", "--packages", "--configfile", "-bl",
                 "--artifacts-path", "--ucr"}
_TRUE = ("true", "")


@record
class Project:
    path: str                       # context-relative
    sdk: str = "Microsoft.NET.Sdk"
    assembly: str | None = None
    frameworks: tuple[str, ...] = ()
    aot: bool = False
    self_contained: bool = False
    single_file: bool = False
    runtime_id: str | None = None
    output_type: str | None = None

    @property
    def name(self) -> str:
        return self.assembly or posixpath.basename(self.path).rsplit(".", 1)[0]

    @property
    def web(self) -> bool:
        return self.sdk.lower().startswith(("microsoft.net.sdk.web", "microsoft.net.sdk.razor",
                                            "microsoft.net.sdk.blazorwebassembly"))

    def version(self) -> str | None:
        """`8.0` from `net8.0` (the first target framework)."""
        for tfm in self.frameworks:
            m = re.fullmatch(r"net(?:coreapp)?(\d+\.\d+)(-[\w.]+)?", tfm.strip())
            if m:
                return m.group(1)
        return None


def load_project(context: Context, rel: str) -> Project | None:
    from msbrewrite.languages.common import read_xml
    root = read_xml(context, rel)
    if root is None:
        return None
    proj = Project(rel, sdk=root.get("Sdk") or _sdk_element(root) or "Microsoft.NET.Sdk")
    props: dict[str, str] = {}
    for group in root:
        if _local(group.tag) != "PropertyGroup" or group.get("Condition"):
            continue
        for el in group:
            if el.text and el.text.strip() and not el.get("Condition"):
                props[_local(el.tag)] = el.text.strip()
    proj.assembly = props.get("AssemblyName") if "$" not in props.get("AssemblyName", "$") else None
    tfms = props.get("TargetFramework") or props.get("TargetFrameworks") or ""
    proj.frameworks = tuple(t for t in tfms.split(";") if t)
    proj.aot = props.get("PublishAot", "").lower() == "true"
    proj.self_contained = props.get("SelfContained", "").lower() == "true"
    proj.single_file = props.get("PublishSingleFile", "").lower() == "true"
    proj.runtime_id = props.get("RuntimeIdentifier")
    proj.output_type = props.get("OutputType")
    return proj


def _sdk_element(root) -> str | None:
    for el in root:
        if _local(el.tag) == "Sdk" and el.get("Name"):
            return el.get("Name")
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@record
class DotnetCommand:
    """`dotnet publish|build|run` with the options msb reads."""
    verb: str
    target: str | None = None          # project, solution or folder as written
    configuration: str | None = None
    output: str | None = None
    runtime_id: str | None = None
    framework: str | None = None
    self_contained: bool | None = None
    aot: bool = False
    single_file: bool = False
    app_args: tuple[str, ...] = ()     # `dotnet run`: what the app receives


def parse_command(argv: list[str]) -> DotnetCommand:
    verb = argv[1] if len(argv) > 1 else ""
    cmd = DotnetCommand(verb)
    rest = argv[2:]
    app_args: list[str] = []
    i = 0
    while i < len(rest):
        w = rest[i]
        if w == "--" and verb == "run":
            app_args += rest[i + 1:]
            break
        name, eq, inline = w.partition("=") if w.startswith("--") else (w, "", "")
        value = inline if eq else (rest[i + 1] if i + 1 < len(rest) else "")
        step = 1 if eq else 2
        if name in ("-c", "--configuration"):
            cmd.configuration = value
        elif name in ("-o", "--output"):
            cmd.output = value
        elif name in ("-r", "--runtime"):
            cmd.runtime_id = value
        elif name in ("-f", "--framework"):
            cmd.framework = value
        elif name == "--project" or (name == "-p" and verb == "run"):
            cmd.target = value
        elif name in ("--self-contained", "--sc"):
            nxt = value.lower() if eq or value.lower() in ("true", "false") else ""
            cmd.self_contained = nxt in _TRUE
            step = 1 if eq or nxt == "" else 2
        elif name == "--no-self-contained":
            cmd.self_contained, step = False, 1
        elif w.startswith(("-p:", "/p:", "-property:", "--property:", "/property:")):
            _property(cmd, w.split(":", 1)[1])
            step = 1
        elif name in VALUE_OPTIONS:
            pass
        elif w.startswith("-"):
            step = 1
            if verb == "run":
                app_args.append(w)       # `dotnet run` hands options it does not know to the app
        else:
            step = 1
            if cmd.target is None and verb != "run":
                cmd.target = w
            elif verb == "run":
                app_args.append(w)
        i += step
    cmd.app_args = tuple(app_args)
    return cmd


def _property(cmd: DotnetCommand, text: str) -> None:
    for part in re.split(r"[;,]", text):
        key, _, value = part.partition("=")
        value = value.strip().lower()
        key = key.strip()
        if key == "PublishAot":
            cmd.aot = value == "true"
        elif key == "SelfContained":
            cmd.self_contained = value == "true"
        elif key == "PublishSingleFile":
            cmd.single_file = value == "true"
        elif key == "RuntimeIdentifier":
            cmd.runtime_id = part.partition("=")[2].strip()


def find_project(context: Context, rel_dir: str, target: str | None) -> str | None:
    """The context-relative project file a command in `rel_dir` builds (None when unknown or several)."""
    if target and target.endswith(PROJECT_SUFFIXES):
        return posixpath.normpath(posixpath.join(rel_dir, target))
    if target and target.endswith((".sln", ".slnx")):
        return None
    folder = posixpath.normpath(posixpath.join(rel_dir, target)) if target else rel_dir
    folder = "" if folder in (".", "") else folder
    found = [f for f in context.listdir(folder) if f.endswith(PROJECT_SUFFIXES)]
    return posixpath.join(folder, found[0]) if len(found) == 1 else None
