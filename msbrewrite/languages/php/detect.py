"""PHP: how strongly a stage looks like a PHP build, as scored evidence.

Imported for every detection, so it stays light: no planner, no runtime rules."""
from __future__ import annotations


from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.plan import Detection, Evidence
from msbrewrite.model.shell import Command
from msbrewrite.languages.scripting import program, start_argv
from msbrewrite.support import lazy_re


NAME = "php"
EXT_TOOLS = {"docker-php-ext-install", "docker-php-ext-enable", "docker-php-ext-configure", "pecl",
             "install-php-extensions"}
STARTERS = {"php", "php-fpm", "apache2-foreground", "docker-php-entrypoint", "apachectl", "apache2ctl",
            "frankenphp", "php-fpm8.2", "php-fpm8.1", "php-fpm8.3"}
_APT_PHP_RE = lazy_re.compile(r"(libapache2-mod-php[\d.]*|php[\d.]*(-fpm|-cli)?)")


def _apt_php(facts: StageFacts) -> list[str]:
    return [p.split("=")[0] for p in facts.packages if _APT_PHP_RE.fullmatch(p.split("=")[0])]


def detect(facts: StageFacts) -> Detection:
    ev: list[Evidence] = []
    at = f"Dockerfile:{facts.stage.from_.lineno}"
    if facts.image_name == "php":
        ev.append(Evidence(f"base image {facts.image}", at, 3))
    elif _apt_php(facts):
        ev.append(Evidence(f"PHP installed from packages ({', '.join(_apt_php(facts)[:3])})", "Dockerfile", 2))
    for step in facts.steps:
        found = next((c for c in step.commands if c.program in EXT_TOOLS or _composer_install(c)), None)
        if found:
            ev.append(Evidence(" ".join(found.argv[:2]), f"Dockerfile:{step.ins.lineno}", 1.5))
            break
    if facts.context.exists("composer.json") or "composer.json" in facts.copied_names():
        ev.append(Evidence("composer.json", "context:composer.json", 1.5))
    argv = start_argv(facts)
    if program(argv) in STARTERS:
        ins = facts.entrypoint or facts.cmd
        ev.append(Evidence(f"{ins.keyword} runs {argv[0]}", f"Dockerfile:{ins.lineno}", 1.5))
    framework = None
    if facts.context.exists("artisan") or "artisan" in facts.copied_names():
        framework = "laravel"
    elif facts.context.exists("symfony.lock") or facts.context.exists("bin/console"):
        framework = "symfony"
    return Detection(NAME, sum(e.weight for e in ev), ev, framework)


def _composer_install(c: Command) -> bool:
    return c.program in ("composer", "composer.phar") and c.argv[1:2] in (["install"], ["i"])
