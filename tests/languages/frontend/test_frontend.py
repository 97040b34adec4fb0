"""Frontend: static builds served by nginx (snapshots, config readers, the nginx config step)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import CORPUS, FIXTURES
from snapshots import cases, check_case, run_case

from msbrewrite import Options, convert
from msbrewrite.model.analysis import analyse
from msbrewrite.model.context import Context
from msbrewrite.core.convert import load
from msbrewrite.languages.frontend import config as cfg
from msbrewrite.languages.frontend.detect import is_static_frontend, node_decision

CASES = FIXTURES / "convert"


@pytest.mark.parametrize("case", cases("frontend-"), ids=lambda p: p.name)
def test_frontend_snapshot(case):
    check_case(case)


def test_enough_frontend_cases():
    assert len(cases("frontend-")) >= 15


def _facts(text: str, context: Path | None = None):
    df = load(text)
    return analyse(df, df.stages[-1], Context(context))


VITE_PREVIEW = """FROM node:20
WORKDIR /app
COPY . .
RUN npm ci && npm run build
CMD ["npx", "vite", "preview", "--host"]
"""


def test_is_static_frontend_for_a_preview_server():
    static, why = is_static_frontend(_facts(VITE_PREVIEW))
    assert static and why


def test_node_server_that_builds_assets_stays_node():
    case = CASES / "frontend-express-ssr"
    text = (case / "Dockerfile").read_text()
    facts = _facts(text, case / "context")
    static, why = is_static_frontend(facts)
    assert not static
    assert "Node server" in why
    from msbrewrite.languages.frontend.detect import detect
    assert detect(facts).score == 0
    result = convert(text, case / "context")
    assert result.language != "frontend"


def test_build_time_variables_stay_in_the_builder_with_a_warning():
    _, result = run_case(CASES / "frontend-cra-serve")
    assert result.status == "converted"
    runtime = result.text.split("\nFROM ", 1)[1]
    assert "REACT_APP_API_URL" not in runtime
    assert any("REACT_APP_API_URL" in w and "build time" in w for w in result.warnings)


def test_nginx_config_step_writes_the_rendered_config(tmp_path):
    """Run the generated printf step with a real shell: it must produce exactly the template's config."""
    sh = shutil.which("sh")
    if sh is None:
        pytest.skip("no sh on this machine")
    checked = 0
    for case in cases("frontend-"):
        _, result = run_case(case)
        if result.status != "converted" or "printf" not in result.text:
            continue
        checked += 1
        text = result.text
        escape = "`" if text.startswith("# escape=`") else "\\"
        step = re.search(r"(?ms)^RUN (printf '%s\\n' .*?> /tmp/nginx-default\.conf)$", text).group(1)
        command = step.replace(escape + "\n", "")     # Docker joins continuation lines
        out = tmp_path / "default.conf"
        subprocess.run([sh, "-c", command.replace("/tmp/nginx-default.conf", str(out))], check=True)
        conf = out.read_text()
        port = re.search(r"(?m)^EXPOSE (\d+)$", text).group(1)
        assert f"listen {port};" in conf, case.name
        # the app shell for a missing path, unless the original's static server answered 404 there
        # (the program itself, not `ng serve` or `yarn serve`)
        program = r'(?m)^CMD \[?"?(?:npx"?,? *"?)?'
        fallback = not re.search(program + r"(http-server|serve)\b", (case / "Dockerfile").read_text()) or \
            re.search(program + r"serve\b.*(-s|--single)\b", (case / "Dockerfile").read_text())
        shell = "/index.html;" in conf or "@app_shell;" in conf     # served from a named location: serve, vite
        assert "try_files $uri" in conf and (shell if fallback else "=404;" in conf), case.name
        assert "gzip on;" in conf and 'Cache-Control "no-cache"' in conf and "immutable" in conf
        blocks = re.sub(r'"[^"]*"', "", conf)     # regex quantifiers live in quoted strings
        assert blocks.count("{") == blocks.count("}") > 0, case.name
    assert checked >= 10


def test_output_never_uses_heredocs_or_link():
    for case in cases("frontend-"):
        _, result = run_case(case)
        assert "<<" not in result.text and "--link" not in result.text and "# syntax=" not in result.text


# ---------------------------------------------------------------- config readers

def test_vite_out_dir_reads_literal_and_root(tmp_path):
    (tmp_path / "vite.config.ts").write_text(
        "// outDir: 'wrong'\nexport default { root: 'web', build: { outDir: '../public-dist' } }\n")
    assert cfg.vite_out_dir(Context(tmp_path), "") == ("public-dist", "vite.config.ts")


def test_vite_out_dir_computed_value_is_not_guessed(tmp_path):
    (tmp_path / "vite.config.js").write_text("export default { build: { outDir: resolve(__dirname, 'x') } }\n")
    assert cfg.vite_out_dir(Context(tmp_path), "") is None


def _angular(tmp_path, builder, output):
    data = {"projects": {"app": {"projectType": "application",
                                 "architect": {"build": {"builder": builder, "options": {"outputPath": output}}}}}}
    (tmp_path / "angular.json").write_text(json.dumps(data))
    return cfg.angular_out_dir(Context(tmp_path), "")[0]


def test_angular_output_path_per_builder(tmp_path):
    assert _angular(tmp_path, "@angular-devkit/build-angular:application", "dist/app") == "dist/app/browser"
    assert _angular(tmp_path, "@angular/build:application", "dist/app") == "dist/app/browser"
    assert _angular(tmp_path, "@angular-devkit/build-angular:browser", "dist/app") == "dist/app"
    assert _angular(tmp_path, "@angular/build:application", {"base": "out", "browser": ""}) == "out"
    assert _angular(tmp_path, "@angular/build:application", {"base": "out"}) == "out/browser"


def test_next_export_and_dist_dir(tmp_path):
    (tmp_path / "next.config.js").write_text("module.exports = { output: 'export', distDir: 'site' }\n")
    assert cfg.next_export(Context(tmp_path), "")[:2] == (True, "site")
    (tmp_path / "next.config.js").write_text("module.exports = { output: 'standalone' }\n")
    assert cfg.next_export(Context(tmp_path), "")[0] is False


def test_svelte_adapter(tmp_path):
    (tmp_path / "svelte.config.js").write_text(
        "import adapter from '@sveltejs/adapter-node';\nexport default { kit: { adapter: adapter() } };\n")
    assert cfg.svelte_adapter(Context(tmp_path), "") == ("@sveltejs/adapter-node", None)


# ---------------------------------------------------------------- decisions

def test_port_80_without_user_keeps_root_nginx_and_nonroot_moves_to_8080():
    text = (CASES / "frontend-port80-root" / "Dockerfile").read_text()
    root = convert(text)
    nonroot = convert(text, options=Options(user="nonroot"))
    assert "FROM nginx:stable-alpine" in root.text and "EXPOSE 80\n" in root.text
    assert "FROM nginxinc/nginx-unprivileged:stable-alpine" in nonroot.text
    assert "EXPOSE 8080" in nonroot.text and "localhost:8080" in nonroot.text


def test_runtime_copies_only_the_output_folder():
    for case in cases("frontend-"):
        _, result = run_case(case)
        if result.status != "converted" or "nginx" not in (result.runtime_base or ""):
            continue
        sources = [a.source for a in result.artifacts]
        assert not any(s.rstrip("/").endswith(("/app", "/node_modules")) for s in sources), case.name


def test_frontend_corpus_converts_or_refuses_with_a_reason():
    corpus = CORPUS / "single" / "frontend"
    if not corpus.is_dir():
        pytest.skip(f"no corpus at {corpus}")
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    converted = 0
    for path in files:
        result = convert(path.read_text(encoding="utf-8", errors="replace"))
        assert result.status in ("converted", "refused", "unchanged"), path.name
        if result.status == "converted":
            converted += 1
        else:
            assert result.reason_code not in (None, "refused") and result.reason, path.name
    assert converted >= 0.8 * len(files)


def test_node_decision_explains_why_a_server_keeps_its_assets():
    case = CASES / "frontend-express-ssr"
    facts = _facts((case / "Dockerfile").read_text(), case / "context")
    note = node_decision(facts)
    assert note and "line 6" in note and "Node server" in note
    assert node_decision(_facts(VITE_PREVIEW)) is None


def test_static_file_server_wins_over_a_server_dependency(tmp_path):
    (tmp_path / "package.json").write_text(json.dumps(
        {"scripts": {"build": "vite build"}, "devDependencies": {"vite": "^5.4.0", "express": "^4.19.0"}}))
    text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npx\", \"vite\", \"preview\"]\n"
    assert is_static_frontend(_facts(text, tmp_path))[0]
    server = text.replace('["npx", "vite", "preview"]', '["node", "server.js"]')
    assert not is_static_frontend(_facts(server, tmp_path))[0]


def test_astro_server_output_is_not_static(tmp_path):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"build": "astro build"},
                                                       "dependencies": {"astro": "^4.0.0"}}))
    text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"npx\", \"serve\", \"dist\"]\n"
    assert is_static_frontend(_facts(text, tmp_path))[0]
    (tmp_path / "astro.config.mjs").write_text("export default defineConfig({ output: 'server' })\n")
    static, why = is_static_frontend(_facts(text, tmp_path))
    assert not static and "Astro" in why


@pytest.mark.parametrize("cmd, fallback", [
    ('["http-server", "dist", "-p", "8080"]', False),
    ('["http-server", "dist", "-P", "http://localhost:8080?"]', True),
    ('["serve", "dist", "-l", "3000"]', False),
    ('["serve", "-s", "dist", "-l", "3000"]', True),
    ('["npx", "vite", "preview", "--port", "4173", "--host"]', True),
])
def test_spa_fallback_follows_the_original_static_server(cmd, fallback):
    """A 404 for a missing file stays a 404 when the original's server had no SPA fallback (a real
    app's missing favicon turned into a 200 text/html page)."""
    text = ("FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
            "RUN npm install -g http-server serve\nEXPOSE 8080\nCMD " + cmd + "\n")
    from msbrewrite import Options, convert
    result = convert(text, None, Options(language="frontend"))
    assert result.status == "converted", result.reason
    shell_route = result.text.split("location / {")[-1].split("'    }'")[0]
    assert ("/index.html;" in shell_route or "@app_shell;" in shell_route) is fallback, shell_route
    assert ("=404;" in shell_route) is not fallback


_SERVE_BUILD = ("FROM node:20\nWORKDIR /app\nRUN npm install -g serve\nCOPY . .\nRUN npm install && npm run build\n"
                "{extra}CMD [\"serve\", \"-s\", \"build\"]\n")


def _vite_site(tmp_path: Path, config: str | None = "export default { build: { outDir: 'dist' } }\n"):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "package.json").write_text(json.dumps({"scripts": {"build": "vite build"},
                                                       "devDependencies": {"vite": "^5"}}))
    if config is not None:
        (tmp_path / "vite.config.js").write_text(config)
    (tmp_path / "index.html").write_text("<!doctype html>")
    return tmp_path


def test_a_served_folder_the_build_never_makes_is_refused(tmp_path):
    result = convert(_SERVE_BUILD.format(extra=""), _vite_site(tmp_path), Options())
    assert result.reason_code == "served-folder-not-built" and "writes /app/dist" in result.reason


def test_a_served_folder_that_can_exist_is_served(tmp_path):
    # made by a RUN step, sent from the context, or only the framework default is known: served as named
    made = convert(_SERVE_BUILD.format(extra="RUN mv dist build\n"), _vite_site(tmp_path / "a"), Options())
    site = _vite_site(tmp_path / "b")
    (site / "build").mkdir()
    (site / "build" / "index.html").write_text("<!doctype html>")
    sent = convert(_SERVE_BUILD.format(extra=""), site, Options())
    default = convert(_SERVE_BUILD.format(extra=""), _vite_site(tmp_path / "c", config=None), Options())
    blind = convert(_SERVE_BUILD.format(extra=""), None, Options())
    for result in (made, sent, default, blind):
        assert result.status == "converted", result.reason
        assert "COPY --from=builder /app/build /usr/share/nginx/html" in result.text


def test_a_static_server_without_a_port_flag_listens_on_port_or_its_default_not_on_expose():
    def listen(env: str, cmd: str) -> str:
        text = f"FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install && npm run build\n{env}EXPOSE 80\nCMD {cmd}\n"
        return re.search(r"listen (\d+);", convert(text, None, Options()).text).group(1)
    assert listen("", '["npx", "http-server", "dist"]') == "8080"
    assert listen("", '["serve", "-s", "build"]') == "3000"
    assert listen("ENV PORT=5000\n", '["serve", "-s", "build"]') == "5000"
    assert listen("", '["serve", "-s", "build", "-l", "4000"]') == "4000"


def test_a_served_folder_around_or_inside_the_output_is_not_refused(tmp_path):
    # vite writes dist/; serving dist/.. (the project) or a folder the output holds is not provably wrong
    for served in ("dist/client", "."):
        text = _SERVE_BUILD.format(extra="").replace('"build"]', f'"{served}"]')
        result = convert(text, _vite_site(tmp_path / served.replace("/", "_").replace(".", "root")), Options())
        assert result.status == "converted", (served, result.reason)


@pytest.mark.parametrize("version, accept", [("~4.5.11", 'text/html|\\*/\\*'),
                                             ("^5.0.8", 'text/html|application/xhtml\\+xml')])
def test_vue_cli_dev_server_fallback_follows_its_version(tmp_path, version, accept):
    # Vue CLI 4 kept the history fallback's default Accept list (*/* too: curl and health checks get
    # the page); Vue CLI 5 answers only clients that ask for HTML
    (tmp_path / "package.json").write_text(json.dumps({
        "scripts": {"serve": "vue-cli-service serve", "build": "vue-cli-service build"},
        "dependencies": {"vue": "^2.6.0"}, "devDependencies": {"@vue/cli-service": version}}))
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "index.html").write_text("<!doctype html>")
    text = ("FROM node:16\nWORKDIR /app\nCOPY package.json ./\nRUN npm install\nCOPY . .\n"
            "EXPOSE 8080\nCMD [\"npm\", \"run\", \"serve\"]\n")
    result = convert(text, tmp_path, Options())
    assert result.status == "converted", result.reason
    assert f'if ($http_accept !~* "{accept}")' in result.text
