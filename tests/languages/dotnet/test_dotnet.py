""".NET: project files, `dotnet` command lines, runtime images and entry points (no SDK here: all offline)."""
import pytest

from msbrewrite import convert
from msbrewrite.model.context import Context
from msbrewrite.languages.dotnet import project as dp
from conftest import make_context

WEB = '<Project Sdk="Microsoft.NET.Sdk.Web"><PropertyGroup><TargetFramework>net8.0</TargetFramework>' \
      '</PropertyGroup></Project>'
CONSOLE = '<?xml version="1.0"?>\n<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType>' \
          '<TargetFramework>net6.0</TargetFramework><AssemblyName>Tool</AssemblyName></PropertyGroup></Project>'


def test_load_project(tmp_path):
    make_context(tmp_path, {"A/A.csproj": WEB, "B.fsproj": CONSOLE})
    a = dp.load_project(Context(tmp_path), "A/A.csproj")
    assert (a.name, a.web, a.version()) == ("A", True, "8.0")
    b = dp.load_project(Context(tmp_path), "B.fsproj")
    assert (b.name, b.web, b.version()) == ("Tool", False, "6.0")


def test_conditional_properties_are_not_taken(tmp_path):
    make_context(tmp_path, {"X.csproj": '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup Condition="\'$(C)\'==\'R\'">'
                                        '<AssemblyName>Other</AssemblyName></PropertyGroup><PropertyGroup>'
                                        '<TargetFrameworks>net8.0;net48</TargetFrameworks></PropertyGroup></Project>'})
    x = dp.load_project(Context(tmp_path), "X.csproj")
    assert x.name == "X" and x.version() == "8.0"


def test_broken_project_file_is_none(tmp_path):
    make_context(tmp_path, {"X.csproj": "<Project><PropertyGroup>"})
    assert dp.load_project(Context(tmp_path), "X.csproj") is None


@pytest.mark.parametrize("argv, fields", [
    (["dotnet", "publish", "src/Api", "-c", "Release", "-o", "/out"],
     {"target": "src/Api", "configuration": "Release", "output": "/out"}),
    (["dotnet", "publish", "--output=/o", "-r", "linux-musl-x64", "--self-contained"],
     {"output": "/o", "runtime_id": "linux-musl-x64", "self_contained": True}),
    (["dotnet", "publish", "--self-contained", "false", "-o", "out"], {"self_contained": False, "output": "out"}),
    (["dotnet", "publish", "-p:PublishAot=true", "/p:PublishSingleFile=true"], {"aot": True, "single_file": True}),
    (["dotnet", "run", "--project", "Web", "--urls", "http://+:80", "--", "--seed"],
     {"target": "Web", "app_args": ("--urls", "http://+:80", "--seed")}),
])
def test_parse_command(argv, fields):
    cmd = dp.parse_command(argv)
    for key, value in fields.items():
        assert getattr(cmd, key) == value, key


def test_find_project(tmp_path):
    make_context(tmp_path, {"src/Api/Api.csproj": WEB, "two/a.csproj": WEB, "two/b.csproj": WEB})
    ctx = Context(tmp_path)
    assert dp.find_project(ctx, "", "src/Api") == "src/Api/Api.csproj"
    assert dp.find_project(ctx, "src/Api", None) == "src/Api/Api.csproj"
    assert dp.find_project(ctx, "two", None) is None          # which one is ambiguous
    assert dp.find_project(ctx, "", "All.sln") is None


@pytest.mark.parametrize("files, base", [
    ({"Api.csproj": WEB}, "mcr.microsoft.com/dotnet/aspnet:8.0"),
    ({"Api.csproj": WEB.replace(".Web", "")}, "mcr.microsoft.com/dotnet/runtime:8.0"),
    ({"Api.csproj": WEB.replace("</TargetFramework>", "</TargetFramework><PublishAot>true</PublishAot>")},
     "mcr.microsoft.com/dotnet/runtime-deps:8.0"),
])
def test_runtime_flavour(tmp_path, files, base):
    make_context(tmp_path, files)
    text = "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -c Release -o /app\n" \
           "ENTRYPOINT [\"dotnet\", \"/app/Api.dll\"]\n"
    result = convert(text, tmp_path)
    assert result.status == "converted", result.reason
    assert result.runtime_base == base


def test_self_contained_runs_the_native_host(tmp_path):
    make_context(tmp_path, {"Api.csproj": WEB})
    text = "FROM mcr.microsoft.com/dotnet/sdk:8.0-alpine\nWORKDIR /src\nCOPY . .\n" \
           "RUN dotnet publish -c Release -r linux-musl-x64 --self-contained -o /app\nCMD [\"dotnet\", \"/app/Api.dll\"]\n"
    result = convert(text, tmp_path)
    assert result.runtime_base == "mcr.microsoft.com/dotnet/runtime-deps:8.0-alpine"
    assert result.text.rstrip().endswith('CMD ["./Api"]')


def test_default_publish_folder_from_the_project(tmp_path):
    make_context(tmp_path, {"Api/Api.csproj": WEB})
    text = "FROM mcr.microsoft.com/dotnet/sdk:8.0.204\nWORKDIR /src\nCOPY . .\nRUN dotnet publish Api/Api.csproj\n" \
           "CMD [\"dotnet\", \"Api/bin/Release/net8.0/publish/Api.dll\"]\n"
    result = convert(text, tmp_path)
    assert result.runtime_base == "mcr.microsoft.com/dotnet/aspnet:8.0"
    assert "COPY --from=builder /src/Api/bin/Release/net8.0/publish /src/Api/bin/Release/net8.0/publish" in result.text
    assert 'CMD ["dotnet", "Api.dll"]' in result.text


def test_privileged_port_keeps_root(tmp_path):
    make_context(tmp_path, {"Api.csproj": WEB})
    text = "FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /src\nCOPY . .\nRUN dotnet publish -o /app\n" \
           "ENV ASPNETCORE_URLS=http://+:80\nENTRYPOINT [\"dotnet\", \"/app/Api.dll\"]\n"
    result = convert(text, tmp_path)
    assert "USER" not in result.text.split("# runtime")[1]
    assert "ENV ASPNETCORE_URLS=http://+:80" in result.text.split("# runtime")[1]


@pytest.mark.parametrize("text, reason", [
    ("FROM mcr.microsoft.com/dotnet/sdk:8.0\nCOPY . .\nCMD [\"dotnet\", \"watch\", \"run\"]\n", "dev-server"),
    ("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /s\nCOPY . .\nRUN dotnet publish -c Release\n"
     "CMD [\"dotnet\", \"App.dll\"]\n", "artifact-not-found"),
    ("FROM mcr.microsoft.com/dotnet/sdk:8.0\nWORKDIR /s\nCOPY . .\nRUN dotnet build\n"
     "CMD sh -c \"dotnet run --project Api\"\n", "entrypoint-uses-build-tool"),
])
def test_refusals(text, reason):
    result = convert(text, None)
    assert result.status == "refused" and result.reason_code == reason, result.reason


def test_detected_without_context_from_the_start_command():
    result = convert("FROM mcr.microsoft.com/dotnet/sdk:6.0\nWORKDIR /app\nCOPY . .\nRUN dotnet publish -o out\n"
                     "ENTRYPOINT [\"dotnet\", \"out/App.dll\"]\n", None)
    assert result.language == "dotnet" and result.runtime_base == "mcr.microsoft.com/dotnet/aspnet:6.0"
    assert result.text.rstrip().endswith('ENTRYPOINT ["dotnet", "App.dll"]')
