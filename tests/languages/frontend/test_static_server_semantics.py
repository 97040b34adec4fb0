"""nginx in place of the original's static server answers as that server did: serve's clean URLs
and its app shell for every missing path (`-s`), vite preview's app shell only for clients that
accept HTML and its Host allow-list."""
from __future__ import annotations

import json

import pytest

from msbrewrite import convert
from msbrewrite.languages.frontend.config import locked_version, vite_allowed_hosts, vite_checks_hosts
from msbrewrite.model.context import Context


def _conf(result) -> str:
    assert result.status == "converted", result.reason
    lines = result.text.split("RUN printf '%s\\n' \\\n", 1)[1].split("    > /tmp/nginx-default.conf", 1)[0]
    return "\n".join(line.strip()[1:].rsplit("' \\", 1)[0] for line in lines.splitlines())


VITE = ("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nEXPOSE 4173\n"
        "CMD [\"npx\", \"vite\", \"preview\", \"--host\", \"0.0.0.0\"]\n")


def _vite(tmp_path, config: str | None, lock_version: str | None = None):
    (tmp_path / "package.json").write_text('{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "^5"}}')
    if config is not None:
        (tmp_path / "vite.config.js").write_text(config)
    if lock_version:
        lock = {"lockfileVersion": 3, "packages": {"node_modules/vite": {"version": lock_version}}}
        (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    return convert(VITE, tmp_path)


def test_vite_preview_hosts_become_a_403_for_every_other_host(tmp_path):
    result = _vite(tmp_path, "export default { preview: { allowedHosts: ['.example.org', 'tides.test'] } }\n")
    conf = _conf(result)
    assert 'if ($host !~* "^(localhost|.+\\.localhost|[0-9.]+|\\[[0-9a-f:.]+\\]|(.+\\.)?example\\.org|tides\\.test)$")' \
        in conf
    assert "location @app_shell {" in conf and 'if ($http_accept !~* "text/html|\\*/\\*|^$")' in conf
    assert "nginx answers 403 to a Host vite preview did not allow (it allows localhost, IP addresses, .example.org, " \
           "tides.test)" in result.decisions


@pytest.mark.parametrize("config, lock", [
    ("export default { preview: { allowedHosts: true } }\n", None),     # every host
    ("export default {}\n", "5.4.11"),                                  # before the check shipped
])
def test_no_host_check_where_vite_made_none(tmp_path, config, lock):
    assert "$host" not in _conf(_vite(tmp_path, config, lock))


def test_an_allowed_hosts_value_that_is_not_a_literal_is_said_not_guessed(tmp_path):
    result = _vite(tmp_path, "const hosts = process.env.HOSTS.split(',')\nexport default { preview: "
                             "{ allowedHosts: hosts } }\n")
    assert "$host" not in _conf(result)
    assert any(d.startswith("vite's allowedHosts is not a literal list") for d in result.decisions)


def test_host_names_that_would_break_out_of_the_regex_are_not_rendered():
    assert vite_allowed_hosts("allowedHosts: ['a.test\")|(.*']") is None
    assert vite_allowed_hosts("server: { allowedHosts: ['a.test'] }, preview: { allowedHosts: true }") is True


@pytest.mark.parametrize("version, checks", [((4, 5, 5), False), ((4, 5, 6), True), ((5, 4, 11), False),
                                             ((5, 4, 12), True), ((6, 0, 8), False), ((6, 0, 9), True),
                                             ((7, 1, 0), True)])
def test_which_vite_releases_check_the_host(version, checks):
    assert vite_checks_hosts(version) is checks


def test_the_locked_version_is_read_from_either_lockfile_layout(tmp_path):
    (tmp_path / "package-lock.json").write_text(json.dumps({"dependencies": {"vite": {"version": "4.5.2"}}}))
    assert locked_version(Context(str(tmp_path)), "", "vite") == (4, 5, 2)
    (tmp_path / "package-lock.json").write_text("not json")
    assert locked_version(Context(str(tmp_path)), "", "vite") is None


SERVE = ("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
         "CMD [\"npx\", \"serve\", {flags}\"dist\", \"-l\", \"3000\"]\n")


def test_serve_single_redirects_html_names_and_sends_the_shell_for_every_missing_path():
    conf = _conf(convert(SERVE.format(flags='"-s", ')))
    assert 'location ~ "^(?<stem>.*)\\.html$" {\n        return 301 $stem;' in conf
    assert "location = /index {\n        return 301 /;" in conf
    assert "absolute_redirect off;" in conf and "location = /index.html" not in conf
    assert "try_files $uri $uri.html $uri/index.html @app_shell;" in conf
    assert "$http_accept" not in conf and "$host" not in conf


def test_serve_without_single_answers_404_and_lists_folders():
    conf = _conf(convert(SERVE.format(flags="")))
    assert "try_files $uri $uri.html $uri/index.html $uri/ =404;" in conf and "autoindex on;" in conf
    assert "@app_shell" not in conf and "return 301 $stem;" in conf


def test_a_compose_service_name_with_an_underscore_is_an_allowed_host():
    assert vite_allowed_hosts("preview: { allowedHosts: ['flower_pages', '.flower_pages'] }") == \
        ["flower_pages", ".flower_pages"]


def test_vite_4_preview_sends_the_shell_to_any_client_but_not_for_a_dotted_last_part(tmp_path):
    (tmp_path / "package.json").write_text('{"scripts": {"build": "vite build"}, "devDependencies": {"vite": "^4.4.5"}}')
    result = convert(VITE, tmp_path)
    conf = _conf(result)
    assert 'if ($uri ~ "\\.[^/]*$") {\n            return 404;' in conf and "$http_accept" not in conf
    assert "nginx answers a missing path with the app shell, as vite 4's preview did, unless the last part of " \
           "the path has a dot" in result.decisions


def test_the_major_version_comes_from_the_lockfile_else_the_range(tmp_path):
    from msbrewrite.languages.frontend.config import package_major
    ctx = Context(str(tmp_path))
    assert package_major(ctx, "", {"devDependencies": {"vite": "~4.5.0"}}, "vite") == 4
    assert package_major(ctx, "", {"dependencies": {"vite": "latest"}}, "vite") is None
    (tmp_path / "package-lock.json").write_text(json.dumps({"packages": {"node_modules/vite": {"version": "5.4.21"}}}))
    assert package_major(Context(str(tmp_path)), "", {"devDependencies": {"vite": "^4.4.5"}}, "vite") == 5


def test_a_compose_command_the_nginx_runtime_cannot_run_is_warned_about(tmp_path):
    (tmp_path / "package.json").write_text('{"scripts": {"build": "vite build", "start": "vite"}}')
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    build: .\n    command: npm start\n")
    result = convert(SERVE.format(flags='"-s", '), tmp_path)
    assert "docker-compose.yml service web (command: npm start) runs npm, which the nginx runtime does not have: " \
           "build that service with `target: builder` (it has Node and the sources)" in result.warnings


@pytest.mark.parametrize("command, named", [
    ('["sh", "-c", "nginx -t && npm start"]', "npm"),     # the shell's commands, not the shell
    ('nginx -g "daemon off;"', None),                    # nginx itself runs on the nginx runtime
    ('["sh", "-c", "exec nginx -g \'daemon off;\'"]', None),
])
def test_every_program_of_a_compose_shell_string_is_checked(tmp_path, command, named):
    (tmp_path / "package.json").write_text('{"scripts": {"build": "vite build", "start": "vite"}}')
    (tmp_path / "docker-compose.yml").write_text(f"services:\n  web:\n    build: .\n    command: {command}\n")
    result = convert(SERVE.format(flags='"-s", '), tmp_path)
    said = [w.split(") ", 1)[1] for w in result.warnings if "which the nginx runtime does not have" in w]
    assert said == ([f"runs {named}, which the nginx runtime does not have: build that service with "
                     "`target: builder` (it has Node and the sources)"] if named else []), said


def test_a_webpack_dev_server_original_keeps_its_accept_rule(tmp_path):
    # `ng serve`'s history fallback sends the shell to a client that accepts HTML, whatever the path
    # (dots too), and a 404 to an <img> or a script; nginx answered every missing path with the shell
    (tmp_path / "package.json").write_text('{"scripts": {"build": "ng build"}, "dependencies": {"@angular/core": "16"}}')
    (tmp_path / "angular.json").write_text('{"projects": {"shop": {"architect": {"build": {"options": '
                                           '{"outputPath": "dist/shop"}}}}}}')
    result = convert("FROM node:18\nWORKDIR /app\nCOPY . .\nRUN npm install -g @angular/cli && npm install && ng build\n"
                     "EXPOSE 4200\nCMD ng serve --host 0.0.0.0\n", tmp_path)
    conf = _conf(result)
    assert "location @app_shell {" in conf and '$uri ~ "\\.[^/]*$"' not in conf
    assert 'if ($http_accept !~* "text/html|application/xhtml\\+xml") {\n            return 404;' in conf
    assert ("nginx answers a missing path with the app shell when the client's Accept header matches "
            "'text/html|application/xhtml\\\\+xml', as the angular dev server's history fallback did") in result.decisions


def test_angular_vite_dev_server_sends_the_shell_for_pages_not_for_assets(tmp_path):
    # Angular 17+'s `application` builder serves `ng serve` on Vite: a page gets the shell for an
    # Accept of HTML, text/*, */* or none; a path naming an asset by its file type stays a 404
    (tmp_path / "package.json").write_text('{"scripts": {"build": "ng build"}, "dependencies": {"@angular/core": "18"}}')
    (tmp_path / "angular.json").write_text('{"projects": {"shop": {"architect": {"build": {"builder": '
                                           '"@angular-devkit/build-angular:application", "options": '
                                           '{"outputPath": "dist/shop"}}}}}}')
    result = convert("FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install -g @angular/cli && npm install && ng build\n"
                     "EXPOSE 4200\nCMD ng serve --host 0.0.0.0\n", tmp_path)
    conf = _conf(result)
    shell = conf.split("location @app_shell {", 1)[1].split("\n    }", 1)[0]
    assert 'if ($http_accept !~* "text/html|text/\\*|\\*/\\*|^$") {\n            return 404;' in shell
    assert 'if ($uri ~* "\\.(js|mjs|cjs|css|map|json|' in shell and "|png|jpe?g|" in shell
    assert "html" not in shell.split('if ($uri ~* "', 1)[1].split('"', 1)[0]     # a missing .html gets the shell
    assert any("unless the path names an asset by its file type" in d for d in result.decisions)


VITE_DEV = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\nEXPOSE 5173\nCMD [\"npm\", \"run\", \"dev\", \"--\", \"--host\"]\n"


def _vite_dev(tmp_path, config: str = "export default {}\n", sources: dict | None = None):
    (tmp_path / "package.json").write_text('{"scripts": {"dev": "vite", "build": "vite build"}, '
                                           '"devDependencies": {"vite": "^6"}}')
    (tmp_path / "package-lock.json").write_text(json.dumps(
        {"lockfileVersion": 3, "packages": {"node_modules/vite": {"version": "6.2.0"}}}))
    (tmp_path / "vite.config.js").write_text(config)
    for rel, text in (sources or {"src/main.js": "console.log(1)\n"}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return convert(VITE_DEV, tmp_path)


def test_a_vite_dev_server_original_keeps_its_accept_rule_and_host_check(tmp_path):
    # vite's dev server sends the shell only to a client accepting HTML, */* or nothing (an API call
    # asking for JSON got a 404), and a 403 to a Host outside server.allowedHosts
    result = _vite_dev(tmp_path, "export default { server: { allowedHosts: ['tides.test'] } }\n")
    conf = _conf(result)
    assert 'if ($http_accept !~* "text/html|\\*/\\*|^$") {\n            return 404;' in conf
    assert 'if ($host !~* "^(localhost|.+\\.localhost|[0-9.]+|\\[[0-9a-f:.]+\\]|tides\\.test)$")' in conf
    assert any("as vite's dev server did" in d for d in result.decisions)


def test_public_variables_the_dev_server_read_at_start_become_build_args(tmp_path):
    # `docker run -e VITE_API_HOST=...` configured the dev server; the bundle fixes it at build time
    result = _vite_dev(tmp_path, sources={
        "src/api.js": "const host = import.meta.env.VITE_API_HOST ?? 'localhost'\n"
                      "const port = import.meta.env.VITE_API_PORT\n",
        "src/App.jsx": "export const base = import.meta.env.VITE_API_HOST + import.meta.env.MODE\n",
        "node_modules/lib/index.js": "import.meta.env.VITE_NOT_OURS\n"})
    build = result.text.split("# production build", 1)[1].split("\n\n", 1)[0]
    assert "ARG VITE_API_HOST\nARG VITE_API_PORT\nRUN npm run build" in build
    assert "VITE_NOT_OURS" not in result.text
    assert any(w.startswith("the vite dev server read VITE_API_HOST, VITE_API_PORT from the container's environment")
               and "--build-arg" in w for w in result.warnings)


def test_a_forced_frontend_conversion_with_nothing_that_builds_the_site_is_refused(tmp_path):
    # `hugo server` renders its pages in memory: no build step, no index.html in the context, so the
    # nginx runtime would have served an empty site
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "_index.md").write_text("# Tides\n")
    (tmp_path / "hugo.toml").write_text("title = 'Tides'\n")
    text = ("FROM debian:12\nRUN apt-get update && apt-get install -y hugo\nWORKDIR /site\nCOPY . /site\n"
            "CMD hugo server --bind=0.0.0.0\n")
    from msbrewrite import Options
    result = convert(text, tmp_path, Options(language="frontend"))
    assert result.status == "refused" and result.reason_code == "nothing-to-build", result.reason
    # pages already in a candidate folder are a site: converted
    (tmp_path / "public").mkdir()
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<h1>Tides</h1>\n")
    assert convert(text, tmp_path, Options(language="frontend")).status == "converted"
