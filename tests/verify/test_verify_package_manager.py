"""What npm, yarn and pnpm print about themselves (the run-script banner, update notices, their
report of a SIGTERM'd script) is not the app's output: `msb verify` leaves it out of the CLI output
and log comparison when an image's command runs through one, and still sees the app's own lines."""
from __future__ import annotations

import pytest

from msbrewrite.verify.judge import CliRun, judge_cli
from msbrewrite.verify.oracle import log_diffs


def _pm():
    from msbrewrite.verify import package_manager as verify_pm      # imported late: each test fails on its own without it
    return verify_pm


def runs_package_manager(config):
    return _pm().runs_package_manager(config)


def strip_lines(lines):
    return _pm().strip_lines(lines)


def strip_text(text):
    return _pm().strip_text(text)


NPM_BANNER = "\n> shop@1.0.0 start\n> node server.js\n\n"
NPM6_BANNER = "\n> shop@1.0.0 start /app\n> node server.js\n\n"
YARN = "yarn run v1.22.19\n$ node cli.js\n{out}Done in 0.12s.\n"


@pytest.mark.parametrize("config, expected", [
    ({"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["npm", "start"]}, True),
    ({"Cmd": ["/bin/sh", "-c", "yarn run serve"]}, True),
    ({"Cmd": ["/usr/local/bin/pnpm", "start"]}, True),
    ({"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["node", "server.js"]}, False),
    ({"Cmd": ["/bin/sh", "-c", "node npm.js"]}, False),
    ({}, False),
])
def test_package_manager_runs(config, expected):
    assert runs_package_manager(config) is expected


@pytest.mark.parametrize("banner", [NPM_BANNER, NPM6_BANNER, "\n> @acme/shop@2.1.0-rc.1 report\n> node cli.js\n\n"])
def test_npm_banner_is_not_the_apps_output(banner):
    out = "items: 3\ntotal: 42\n"
    assert strip_text(banner + out) == out
    assert strip_text(banner) == ""


def test_pre_script_banners_and_yarn():
    text = "\n> a@1.0.0 prestart\n> node pre.js\n\npre\n\n> a@1.0.0 start\n> node x.js\n\nhello\n"
    assert strip_text(text) == "pre\nhello\n"
    assert strip_text(YARN.format(out="hello\n")) == "hello\n"
    assert strip_lines(["yarn run v1.22.19", "$ node x.js", "boom", "info Visit https://yarnpkg.com/en/docs/cli/run "
                        "for documentation about this command."]) == ["boom"]


def test_lines_that_only_look_like_a_banner_stay():
    # an app printing a quote, a prompt, or "Done in" without yarn's header is the app's output
    assert strip_text("> shop@1.0.0 start\n") == "> shop@1.0.0 start\n"
    assert strip_text("> note: backups\n> none\n") == "> note: backups\n> none\n"
    assert strip_text("Done in 0.12s.\n") == "Done in 0.12s.\n"


def _cli(stdout, code=0):
    return CliRun(code, stdout, "")


def test_cli_output_without_npms_banner_is_the_same():
    before, after = _cli(NPM_BANNER + "items: 3\n"), _cli("items: 3\n")
    assert judge_cli(before, after, 20, (True, False)).passed
    # npm 7+ prints only the banner when the script prints nothing (seen on a real app)
    assert judge_cli(_cli("\n> repomanager@2.0.0 start\n> node scripts/run-cron.js\n\n", 1), _cli("", 1),
                     20, (True, False)).passed
    assert judge_cli(_cli(YARN.format(out="ok\n")), _cli("ok\n"), 20, (True, False)).passed


def test_cli_output_that_really_differs_still_fails():
    smoke = judge_cli(_cli(NPM_BANNER + "items: 3\n"), _cli("items: 4\n"), 20, (True, False))
    assert not smoke.passed and "'items: 3' became 'items: 4'" in smoke.detail
    # without a package manager in the original's command, its "> ..." lines are the app's
    assert not judge_cli(_cli(NPM_BANNER + "items: 3\n"), _cli("items: 3\n"), 20, (False, False)).passed


NPM_SIGTERM = ["npm ERR! path /app", "npm ERR! command failed", "npm ERR! signal SIGTERM",
               "npm ERR! command sh -c node server.js", "",
               "npm ERR! A complete log of this run can be found in:",
               "npm ERR!     /home/node/.npm/_logs/2026-12-07T02_00_00_000Z-debug-0.log"]
NPM10_SIGTERM = ["npm error path /app", "npm error command failed", "npm error signal SIGTERM",
                 "npm error command sh -c node server.js",
                 "npm error A complete log of this run can be found in: /root/.npm/_logs/x-debug-0.log"]
NPM6_SIGTERM = ["npm ERR! code ELIFECYCLE", "npm ERR! errno 143", "npm ERR! shop@1.0.0 start: `node server.js`",
                "npm ERR! Exit status 143", "npm ERR! ", "npm ERR! Failed at the shop@1.0.0 start script.",
                "npm ERR! This is probably not a problem with npm. There is likely additional logging output above."]
NPM_SELF = ["npm notice", "npm notice New major version of npm available! 10.8.2 -> 11.6.0",
            "npm notice To update run: npm install -g npm@11.6.0",
            "npm warn Unknown builtin config \"globalignorefile\". This will stop working in the next major version.",
            "npm WARN config production Use `--omit=dev` instead.",
            "npm WARN logfile could not create logs-dir: Error: EACCES: permission denied, mkdir '/home/node/.npm'"]


@pytest.mark.parametrize("block", [NPM_SIGTERM, NPM10_SIGTERM, NPM6_SIGTERM, NPM_SELF])
def test_npms_lines_about_itself_go(block):
    assert strip_lines(["listening on 3000", *block, "bye"]) == ["listening on 3000", "bye"]


def test_npms_report_of_a_crash_stays():
    crash = ["npm ERR! path /app", "npm ERR! command failed", "npm ERR! signal SIGSEGV",
             "npm ERR! command sh -c node server.js"]
    assert strip_lines(crash) == crash
    assert strip_lines(["npm ERR! code 1", "npm ERR! signal SIGTERM"]) == ["npm ERR! code 1", "npm ERR! signal SIGTERM"]
    install = ["npm WARN deprecated request@2.88.2: request has been deprecated"]
    assert strip_lines(install) == install


def test_log_lines_of_npm_itself_are_no_difference():
    # the converted image runs `npm start` as a user whose home npm cannot write its logs to
    converted = ["listening on 3000", NPM_SELF[-1]]
    assert [d.what for d in log_diffs(["listening on 3000"], converted)] == \
        ["permission denied: the runtime user cannot write or read a path"]
    assert log_diffs(["listening on 3000"], converted, (False, True)) == []


def test_log_lines_of_the_app_still_differ_under_npm():
    converted = ["listening on 3000", NPM_SELF[-1], "Error: EACCES: permission denied, open '/app/data/db.json'",
                 *NPM_SIGTERM]
    diffs = log_diffs(["listening on 3000"], converted, (True, True))
    assert [d.evidence for d in diffs] == [["Error: EACCES: permission denied, open '/app/data/db.json'"]]
