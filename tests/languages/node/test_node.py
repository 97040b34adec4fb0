"""Node servers: project reading helpers, entry resolution, base choice and the corpus bar."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from conftest import CORPUS
from msbrewrite import Options, convert
from msbrewrite.model.context import Context
from msbrewrite.model.package_json import (Package, dockerignored, next_output, parse_tag, resolve_script,
                                           run_target, tsconfig_out_dir)


@pytest.mark.parametrize("tag, major, alpine, debian", [
    ("20-alpine3.19", 20, "alpine3.19", None),
    ("18.17.1-bullseye-slim", 18, None, "bullseye"),
    ("lts", 24, None, None),
    ("lts-alpine", 24, "alpine", None),
    ("hydrogen", 18, None, None),
    ("latest", None, None, None),
    ("alpine", None, "alpine", None),
])
def test_parse_tag(tag, major, alpine, debian):
    t = parse_tag(tag)
    assert (t.major, t.alpine, t.debian) == (major, alpine, debian)


@pytest.mark.parametrize("tag, runtime", [
    # an Alpine release pinned beside `lts`: the tag was Node 10 then, and node:24-alpine3.9 never existed
    ("lts-alpine3.9", "node:lts-alpine3.9"),
    ("lts-alpine", "node:lts-alpine"),
    # node:lts moves with each LTS release: a distroless name or a number would not follow the builder
    ("lts", "node:lts-slim"),
    ("lts-bookworm", "node:lts-bookworm-slim"),
    ("hydrogen-alpine", "node:18-alpine"),      # a codename is one release for good
    ("20", "gcr.io/distroless/nodejs20-debian12:nonroot"),
])
def test_a_moving_lts_tag_stays_a_word_in_the_runtime_tag(tag, runtime):
    r = convert(f"FROM node:{tag}\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n")
    assert r.runtime_base == runtime


@pytest.mark.parametrize("argv, want", [
    (["npm", "start"], ("start", [])),
    (["npm", "run", "start:prod", "--", "--port", "80"], ("start:prod", ["--port", "80"])),
    (["yarn", "serve"], ("serve", [])),
    (["yarn", "install"], None),
    (["pnpm", "run", "build"], ("build", [])),
    (["npm", "ci"], None),
    (["node", "server.js"], None),
])
def test_run_target(argv, want):
    assert run_target(argv) == want


def test_resolve_script_follows_nested_scripts_and_cross_env():
    pkg = Package({"scripts": {"start": "npm run serve", "serve": "cross-env NODE_ENV=production node dist/main.js"}},
                  True)
    script = resolve_script(pkg, "start", ["--verbose"])
    assert script.argv == ["node", "dist/main.js", "--verbose"]
    assert script.env == {"NODE_ENV": "production"}
    assert script.chain == ["start", "serve"]


@pytest.mark.parametrize("scripts, fragment", [
    ({"start": "node a.js", "prestart": "npm run build"}, "prestart"),
    ({"start": "prisma migrate deploy && node dist/main.js"}, "more than one command"),
    ({"start": "node dist/main.js > out.log"}, "needs a shell"),
    ({}, "no 'start' script"),
])
def test_resolve_script_refuses_what_npm_alone_does(scripts, fragment):
    reason = resolve_script(Package({"scripts": scripts}, True), "start")
    assert isinstance(reason, str) and fragment in reason


def test_context_readers(tmp_path):
    (tmp_path / ".dockerignore").write_text("node_modules\n**/*.log\ndocs/\n!docs/keep.md\n")
    (tmp_path / "tsconfig.json").write_text('{\n  // out\n  "compilerOptions": {"outDir": "./build/", "rootDir": "lib",},\n}\n')
    (tmp_path / "next.config.mjs").write_text("export default { output: \"standalone\" };\n")
    ctx = Context(tmp_path)
    assert dockerignored(ctx, "node_modules") and dockerignored(ctx, "a/b/c.log") and dockerignored(ctx, "docs/x")
    assert not dockerignored(ctx, "docs/keep.md") and not dockerignored(ctx, "src")
    assert tsconfig_out_dir(ctx, "") == ("build", "lib")
    assert next_output(ctx, "") == "standalone"


def _convert(dockerfile: str, files: dict[str, str] | None, tmp_path: Path, **opts):
    ctx = None
    if files is not None:
        ctx = tmp_path / "ctx"
        for name, text in files.items():
            (ctx / name).parent.mkdir(parents=True, exist_ok=True)
            (ctx / name).write_text(text)
    return convert(dockerfile, ctx, Options(**opts))


EXPRESS = {"package.json": '{"scripts": {"start": "node index.js"}, "dependencies": {"express": "4"}}',
           "index.js": "require('express')().listen(3000)\n"}


def test_prune_comes_after_the_build(tmp_path):
    df = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\nCMD [\"npm\", \"start\"]\n"
    files = dict(EXPRESS, **{"package.json": '{"scripts": {"build": "tsc", "start": "node dist/index.js"}, '
                                             '"dependencies": {"express": "4"}}',
                             "tsconfig.json": '{"compilerOptions": {"outDir": "dist"}}', "src/index.ts": "x\n"})
    r = _convert(df, files, tmp_path)
    assert r.status == "converted", r.reason
    text = r.text
    assert text.index("RUN npm run build") < text.index("RUN npm prune --omit=dev") < text.index("FROM gcr.io")
    # dist/ comes with the staged app directory; src/ holds only TypeScript compiled into it
    assert 'CMD ["--require", "/usr/local/lib/msb/pid1-signals.cjs", "dist/index.js"]' in text and "COPY --from=builder --chown=65532:65532 /tmp/msb-runtime/ /" in text
    assert '-path "$s"/src' in text and "/app/src" not in text


def test_npm6_uses_production_flag(tmp_path):
    r = _convert("FROM node:14\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD node index.js\n", EXPRESS, tmp_path)
    assert "RUN npm prune --production" in r.text and "FROM node:14-slim" in r.text


def test_yarn4_focus_and_distroless_override(tmp_path):
    files = dict(EXPRESS, **{"package.json": '{"packageManager": "yarn@4.1.0", "scripts": {"start": "node index.js"},'
                                             ' "dependencies": {"express": "4"}}',
                             ".yarnrc.yml": "nodeLinker: node-modules\n", "yarn.lock": "x\n"})
    r = _convert("FROM node:22\nWORKDIR /app\nCOPY . .\nRUN corepack enable && yarn install --immutable\n"
                 "CMD [\"yarn\", \"start\"]\n", files, tmp_path, runtime="slim")
    assert "RUN yarn workspaces focus --all --production" in r.text
    assert "FROM node:22-slim" in r.text and 'CMD ["node", "--require", "/usr/local/lib/msb/pid1-signals.cjs", "index.js"]' in r.text


def test_pnpm_bin_shims_are_not_run_with_node(tmp_path):
    files = {"package.json": '{"scripts": {"start": "micro app.js"}, "dependencies": {"micro": "10"}}',
             "app.js": "x\n"}
    r = _convert("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN corepack enable && pnpm install\n"
                 "CMD [\"pnpm\", \"start\"]\n", files, tmp_path)
    assert r.status == "converted"
    # the shim is a shell script: the package manager keeps running the script, on a slim base
    assert 'CMD ["pnpm", "start"]' in r.text and "FROM node:20-slim" in r.text
    assert "pnpm prune" not in r.text


def test_frontend_static_build_is_left_to_frontend(tmp_path, monkeypatch):
    fake = types.ModuleType("msbrewrite.languages.frontend.detect")
    fake.is_static_frontend = lambda facts: (True, "vite build served by nginx")
    fake.detect = lambda facts: __import__("msbrewrite.model.plan", fromlist=["Detection"]).Detection("frontend", 4.0)
    monkeypatch.setitem(sys.modules, "msbrewrite.languages.frontend.detect", fake)
    from msbrewrite.languages.node import detect as node
    from msbrewrite.model.analysis import analyse
    from msbrewrite.core.convert import load
    df = load("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npm\", \"run\", \"preview\"]\n")
    det = node.detect(analyse(df, df.stages[0], Context(None)))
    assert det.score <= 1.0 and any("static frontend" in e.signal for e in det.evidence)


def test_node_server_scores_high():
    from msbrewrite import detect
    found = detect("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"server.js\"]\n")
    assert found[0].language == "node" and found[0].score >= 3


@pytest.mark.skipif(not (CORPUS / "single" / "node").is_dir(), reason="corpus not present")
def test_corpus_node_converts_without_traceback():
    files = sorted((CORPUS / "single" / "node").iterdir())
    results = [convert(f.read_text(encoding="utf-8", errors="replace")) for f in files]
    converted = [r for r in results if r.status == "converted"]
    assert len(converted) >= 0.8 * len(results)
    for r in results:
        if r.status == "refused":
            assert r.reason_code not in (None, "refused", "validation-failed") and r.reason


def test_absolute_node_path_on_distroless_and_existing_prune(tmp_path):
    r = _convert("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build && npm prune --production\n"
                 "CMD [\"/usr/local/bin/node\", \"dist/main.js\"]\n", None, tmp_path)
    assert 'CMD ["dist/main.js"]' in r.text and "FROM gcr.io/distroless/nodejs20-debian12:nonroot" in r.text
    assert r.text.count("npm prune") == 1


def test_entrypoint_node_keeps_cmd_arguments_on_distroless(tmp_path):
    r = _convert("FROM node:22\nWORKDIR /srv\nCOPY . .\nRUN npm ci\nENTRYPOINT [\"node\", \"cli.js\"]\n"
                 "CMD [\"--port\", \"8080\"]\n", EXPRESS, tmp_path)
    assert 'ENTRYPOINT ["/nodejs/bin/node", "cli.js"]' in r.text and 'CMD ["--port", "8080"]' in r.text


def test_glob_copies_are_expanded_from_the_context(tmp_path):
    files = dict(EXPRESS, **{"worker.js": "x\n", "notes.md": "x\n"})
    r = _convert("FROM node:20\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY *.js ./\n"
                 "CMD [\"node\", \"index.js\"]\n", files, tmp_path)
    # the builder's /app holds what the glob copied (worker.js, index.js), staged as a whole
    assert "COPY --from=builder --chown=65532:65532 /tmp/msb-runtime/ /" in r.text
    assert "notes.md" not in r.text


@pytest.mark.parametrize("user, wrapped", [("node", True), ("root", False), (None, False)])
def test_msbs_builder_steps_run_as_root_when_the_build_ends_as_another_user(user, wrapped):
    line = f"USER {user}\n" if user else ""
    text = ("FROM node:20\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n" + line +
            "COPY --chown=node:node src ./src\nCMD [\"node\", \"src/index.js\"]\n")
    r = convert(text)
    assert r.status == "converted", r.reason
    builder = r.text.split("# runtime")[0]
    assert ("msb's steps below run as root" in builder) is wrapped
    if wrapped:     # root for the prune and the staging copy, then the build's own user again
        assert builder.index("USER root") < builder.index("npm prune") < builder.rindex("USER node")


def test_a_global_cli_entrypoint_with_cmd_arguments_is_installed_in_the_runtime():
    from msbrewrite import convert
    text = ("FROM node:20\nWORKDIR /data\nRUN npm install -g json-server@0.17.4\nCOPY db.json .\n"
            "ENTRYPOINT [\"json-server\"]\nCMD [\"--host\", \"0.0.0.0\", \"db.json\"]\n")
    result = convert(text)
    runtime = result.text.rpartition("\nFROM ")[2]
    assert "RUN npm install -g json-server@0.17.4 && npm cache clean --force\n" in runtime
    assert 'ENTRYPOINT ["json-server"]\nCMD ["--host", "0.0.0.0", "db.json"]' in runtime


@pytest.mark.parametrize("installs, start, carried", [
    ("docsify-cli@4.4.4", "docsify serve .", "docsify-cli@4.4.4"),          # a CLI package drops its suffix
    ("@11ty/eleventy", "eleventy --serve", "@11ty/eleventy"),                # or its scope
    ("harbour-tools", "tidewatch --port 3000", "harbour-tools"),            # the only global package
    ("harbour-tools nodemon", "tidewatch --port 3000", None),                # two: which one is not known
    ("harbour-tools", "nginx -g 'daemon off;'", None),                       # a program no npm package gives
])
def test_a_global_cli_named_unlike_its_package_is_installed_in_the_runtime(installs, start, carried):
    from msbrewrite import convert
    result = convert(f"FROM node:20-alpine\nWORKDIR /site\nRUN npm install -g {installs}\nEXPOSE 3000\n"
                     f"ENTRYPOINT {start}\n")
    runtime = result.text.rpartition("\nFROM ")[2]
    installed = [line for line in runtime.splitlines() if line.startswith("RUN npm install -g")]
    assert installed == ([f"RUN npm install -g {carried} && npm cache clean --force"] if carried else [])


@pytest.mark.parametrize("move, lives_at", [
    ("mv node_modules ../", "/usr/src/node_modules"),        # into the folder above
    ("mv node_modules ..", "/usr/src/node_modules"),
    ("mv -f node_modules /opt/", "/opt/node_modules"),       # a trailing slash: into that folder
    ("mv node_modules /deps", "/deps"),                      # a new name: renamed there
])
def test_dependencies_moved_by_the_build_are_copied_from_where_they_landed(tmp_path, move, lives_at):
    (tmp_path / "package.json").write_text('{"scripts": {"start": "node server.js"}, "dependencies": {"ms": "2"}}')
    (tmp_path / "server.js").write_text("require('ms')\n")
    dockerfile = (f"FROM node:20\nWORKDIR /usr/src/app\nCOPY package*.json ./\nRUN npm install && {move}\n"
                  "COPY . .\nCMD [\"node\", \"server.js\"]\n")
    result = convert(dockerfile, str(tmp_path))
    assert result.status == "converted", result.reason
    assert f"COPY --from=builder --chown=65532:65532 {lives_at} {lives_at}\n" in result.text
    assert "COPY --from=builder --chown=65532:65532 /usr/src /usr/src\n" not in result.text


@pytest.mark.parametrize("hook, install, copied", [
    ('"postinstall": "npm run compile", "compile": "tsc"', "npm install", True),
    ('"prepare": "tsc -p tsconfig.json"', "npm ci", True),
    ('"postinstall": "npm run compile", "compile": "tsc"', "npm install --ignore-scripts", False),
    ('"postinstall": "husky install"', "npm install", False),       # writes nothing the app runs
])
def test_a_build_an_install_hook_runs_is_build_output(tmp_path, hook, install, copied):
    (tmp_path / "package.json").write_text('{"scripts": {%s}, "devDependencies": {"typescript": "5"}}' % hook)
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"outDir": "dist"}}')
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "server.ts").write_text("export {}\n")
    # no WORKDIR: the app's files are copied one by one (in a folder of its own the whole folder is staged)
    result = convert(f"FROM node:20\nCOPY . .\nRUN {install}\nCMD [\"node\", \"dist/server.js\"]\n", str(tmp_path))
    assert result.status == "converted", result.reason
    assert ("COPY --from=builder --chown=65532:65532 /dist /dist\n" in result.text) is copied, result.text


@pytest.mark.parametrize("image, procps", [("node:20", True), ("node:20-slim", False)])
def test_pm2_keeps_the_ps_it_restarts_the_app_with(tmp_path, image, procps):
    # pm2 ends the old process tree with `ps` before each restart: node:20 has it, node:20-slim not
    (tmp_path / "package.json").write_text('{"dependencies": {"express": "4"}}')
    (tmp_path / "app.js").write_text("require('express')().listen(3000)\n")
    result = convert(f"FROM {image}\nWORKDIR /app\nCOPY . .\nRUN npm install && npm install -g pm2\n"
                     "CMD [\"pm2-runtime\", \"app.js\", \"--watch\"]\n", str(tmp_path))
    assert result.status == "converted", result.reason
    runtime = result.text.rpartition("\nFROM ")[2]
    assert ("apt-get install -y --no-install-recommends procps" in runtime) is procps, runtime


def test_an_app_copied_into_root_keeps_the_system_folders_it_merges_with(tmp_path):
    # `COPY . .` into / puts the app's bin/www into the base image's /bin: copying /bin whole brought
    # the full image's programs over the slim runtime's, owned by the app's user
    result = _convert("FROM node:20\nCOPY . .\nRUN npm install\nEXPOSE 3000\nCMD [\"npm\", \"start\"]\n",
                      {"bin/www": "require('../app')\n", "app.js": "module.exports = 1\n",
                       "package.json": '{"scripts": {"start": "node ./bin/www"}, "dependencies": {"express": "4"}}'},
                      tmp_path)
    runtime = result.text.rpartition("\nFROM ")[2]
    assert "COPY --from=builder --chown=65532:65532 /bin/www /bin/www" in runtime
    assert " /bin /bin" not in runtime
    assert "COPY --from=builder --chown=65532:65532 /app.js /app.js" in runtime


def test_npx_resolved_to_node_gets_the_pid1_preload(tmp_path):
    # under npx, node was a child that SIGTERM ended; as PID 1 it ignored it and `docker stop` waited
    r = _convert("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"npx\", \"@11ty/eleventy\", \"--serve\"]\n",
                 {"package.json": '{"devDependencies": {"@11ty/eleventy": "2"}}'}, tmp_path)
    assert r.text.rstrip().endswith(
        'CMD ["--require", "/usr/local/lib/msb/pid1-signals.cjs", "node_modules/.bin/eleventy", "--serve"]')
    assert any("as they ended it under npx" in d for d in r.decisions)


@pytest.mark.parametrize("base, start, status", [
    ("node:14", '["npm", "start"]', 0),          # npm 6 ended with 0 when docker stop ended the app
    ("node:20", '["npm", "start"]', 1),          # npm 7 on, yarn, pnpm and npx report it as a failure
    ("node:20", '["yarn", "start"]', 1),
])
def test_the_pid1_preload_ends_on_sigterm_with_the_managers_status(tmp_path, base, start, status):
    r = _convert(f"FROM {base}\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD {start}\n",
                 {"package.json": '{"scripts": {"start": "node server.js"}}', "server.js": "//\n"}, tmp_path)
    assert f"'const codes = {{ SIGTERM: {status}, SIGINT: 130, SIGHUP: 129 }};'" in r.text


def test_a_start_script_keeps_dev_dependencies_for_a_reason_that_reads_right(tmp_path):
    r = _convert("FROM node:18-alpine\nWORKDIR /app\nCOPY . .\nRUN npm install\nENTRYPOINT [\"sh\", \"./entrypoint.sh\"]\n",
                 {"package.json": '{"devDependencies": {"next": "13"}}', "entrypoint.sh": "#!/bin/sh\nnpx next dev\n"},
                 tmp_path)
    assert ("devDependencies kept in the runtime: `sh ./entrypoint.sh` kept: it runs a shell script, whose "
            "commands may run tools from devDependencies") in r.warnings


@pytest.mark.parametrize("ignore, copied", [("", True), ("node_modules\n", False)])
def test_node_modules_the_context_ships_are_copied_when_nothing_installs(tmp_path, ignore, copied):
    files = {"package.json": '{"name": "a", "dependencies": {"left-pad": "1.3.0"}}',
             "server.js": "require('left-pad')\n", "node_modules/left-pad/index.js": "module.exports = 1\n",
             ".dockerignore": ignore}
    r = _convert("FROM node:20\nWORKDIR /app\nCOPY . .\nCMD [\"node\", \"server.js\"]\n", files, tmp_path)
    assert r.status == "converted", r.reason
    assert (" /app/node_modules /app/node_modules\n" in r.text) is copied


def test_a_start_script_of_the_app_named_like_a_package_bin_runs_as_written(tmp_path):
    # bin/hubot is the app's own script (it installs and passes --name): not hubot's bin
    files = {"package.json": '{"name": "bot", "dependencies": {"hubot": "3.3.2"}}',
             "bin/hubot": "#!/bin/sh\nset -e\nnpm install\nexec node_modules/.bin/hubot --name bot \"$@\"\n"}
    r = _convert("FROM node:14\nWORKDIR /usr/src/app\nCOPY . .\nCMD [\"bin/hubot\", \"-a\", \"shell\"]\n", files, tmp_path)
    assert r.status == "converted", r.reason
    assert r.text.rstrip().endswith('CMD ["bin/hubot", "-a", "shell"]')
    assert "node_modules/.bin/hubot -a" not in r.text
