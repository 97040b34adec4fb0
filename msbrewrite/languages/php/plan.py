"""PHP: the user's composer install, asset build and extension installs in the builder, then
the same official PHP image (apache, fpm or cli) with only what the app needs.

Extensions are copied, not installed again: the builder is the very image the runtime starts
from, so the .so files it compiled match the runtime's PHP build (API version, thread safety),
and a second `docker-php-ext-install` would need the -dev headers and compilers in the runtime.
What the .so files link comes from the -dev packages the build installed (libpng-dev ->
libpng16-16). Apache and PHP-FPM start as root and drop to www-data themselves, so the
runtime keeps the original's user.

Apache with mod_php from Debian or Ubuntu packages keeps its base: the runtime installs the same
server packages without the build tools and receives /etc/apache2 and /etc/php as the build left
them (a2enmod, edited configuration).
"""
from __future__ import annotations

import posixpath

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, is_root_user
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.quoting import sh_words
from msbrewrite.languages.common import BUILD_UTILITIES, carry_runtime_tools
from msbrewrite.languages.scripting import program, start_argv, system_libraries
from msbrewrite.languages.php.detect import EXT_TOOLS, NAME, _apt_php, _composer_install
from msbrewrite.support import records

PHP_INI_DIR = "/usr/local/etc/php"
EXT_DIR = "/usr/local/lib/php/extensions"
# packages a PHP build uses and the running app does not
BUILD_PACKAGES = BUILD_UTILITIES | {"composer", "nodejs", "npm", "yarn", "build-essential", "gcc", "g++", "make",
                                    "autoconf", "pkg-config", "php-dev", "php-pear", "re2c"}
RULES = [Rule("./node_modules", app_files.DEV_DEPENDENCIES)] + [Rule(p, "PHP tests and development files") for p in
         ("phpunit.xml", "phpunit.xml.dist", ".phpunit.result.cache", ".phpunit.cache",
          ".php-cs-fixer.php", ".php-cs-fixer.dist.php", "phpstan.neon", "phpstan.neon.dist", ".phpcs.xml")] + \
    [Rule("auth.json", "credential files")]
_CONFIG_TOOLS = {"a2enmod", "a2dismod", "a2enconf", "a2disconf", "a2ensite", "a2dissite", "phpenmod", "phpdismod"}
# the server an apt-installed PHP app runs
APT_STARTERS = {"apachectl", "apache2ctl", "apache2", "apache2-foreground"}
# writable paths Laravel needs: the runtime keeps their owner; the report says when it is root
LARAVEL_WRITABLE = ("storage", "bootstrap/cache")


class PhpPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "php.Dockerfile.j2", facts.image)
        self.text = " ".join(i.raw for i in facts.stage.instructions if i.keyword in ("RUN", "COPY", "ADD", "ENV"))

    def touches(self, *paths: str) -> bool:
        return any(p in self.text for p in paths)

    # ---------------------------------------------------------------- composer
    def composer(self) -> None:
        plan = self.plan
        installs = [c for c in self.facts.commands() if _composer_install(c)]
        if not installs:
            return
        last = installs[-1]
        if "--no-dev" in last.argv or last.env.get("COMPOSER_NO_DEV") == "1" or \
                self.facts.env.get("COMPOSER_NO_DEV") == "1":
            plan.decisions.append("composer install already leaves require-dev out: vendor/ comes with the app")
            return
        kept = [w for w in last.argv[2:] if w in ("--no-scripts", "--ignore-platform-reqs", "--no-plugins")]
        if self.runs_composer_scripts():
            # the build ran the package scripts later (dump-autoload): Laravel's package:discover must see
            # the production packages, or bootstrap/cache names dev-only providers
            kept = [w for w in kept if w != "--no-scripts"]
        words = [last.argv[0], "install", "--no-dev", "--optimize-autoloader", "--no-interaction", *kept]
        where = f"cd {sh_words([last.cwd])} && " if last.cwd != self.facts.workdir else ""
        plan.builder_append.append("# require-dev out of vendor/, with an optimized autoloader, after the build\n"
                                   f"RUN {where}{sh_words(words)}")
        plan.decisions.append("`composer install --no-dev --optimize-autoloader` after the build: vendor/ holds "
                              "the production packages only")

    def runs_composer_scripts(self) -> bool:
        return any(c.program in ("composer", "composer.phar") and c.argv[1:2] in (["dump-autoload"], ["dumpautoload"],
                                                                                   ["run-script"])
                   and "--no-scripts" not in c.argv for c in self.facts.commands())

    # ---------------------------------------------------------------- official images
    def extensions(self) -> None:
        facts, plan = self.facts, self.plan
        tools = sorted({c.program for c in facts.commands() if c.program in EXT_TOOLS})
        if tools:
            plan.copy(EXT_DIR, EXT_DIR, "the PHP extensions the build compiled (the same PHP build as the runtime)")
            plan.decisions.append(f"extensions from {', '.join(tools)} are copied with their ini files: the builder "
                                  "is the runtime's own image, so they match its PHP; installing them again would "
                                  "need compilers and -dev headers in the runtime")
        if tools or self.touches("PHP_INI_DIR", PHP_INI_DIR):
            plan.copy(PHP_INI_DIR, PHP_INI_DIR, "php.ini and conf.d as the build left them (extension ini files)")
        if self.touches("php-fpm.d", "php-fpm.conf"):
            plan.copy("/usr/local/etc/php-fpm.d", "/usr/local/etc/php-fpm.d", "PHP-FPM pool configuration")
            plan.copy("/usr/local/etc/php-fpm.conf", "/usr/local/etc/php-fpm.conf", "PHP-FPM configuration")

    def apache_config(self) -> None:
        used = {c.program for c in self.facts.commands()} & _CONFIG_TOOLS
        if used or self.touches("/etc/apache2", "APACHE_CONFDIR", "sites-available", "sites-enabled"):
            self.plan.copy("/etc/apache2", "/etc/apache2", "Apache's configuration as the build left it")
        if self.touches("/var/log/apache2"):
            self.plan.copy("/var/log/apache2", "/var/log/apache2", "Apache's log links as the build made them")

    # ---------------------------------------------------------------- app files
    def app(self) -> None:
        facts, plan = self.facts, self.plan
        # directories copied whole already (php.ini's conf.d, Apache's configuration) are not app files
        taken = [a.source for a in plan.artifacts]
        dirs = [d for d in app_files.app_dirs(facts) if not any(d == t or d.startswith(t + "/") for t in taken)]
        for d in [d for d in dirs if d == "/var/www"]:
            plan.copy(d, d, "the app under the web root's parent, as the build left it")
            plan.decisions.append("/var/www is copied whole: it is the web server's own directory")
        app_files.stage(facts, plan, NAME, appdirs=[d for d in dirs if d != "/var/www"], extra=RULES)
        self.laravel(dirs)

    def laravel(self, dirs: list[str]) -> None:
        facts, plan = self.facts, self.plan
        found = [facts.context_path(posixpath.join(d, "artisan")) for d in dirs]
        if not any(rel and facts.context.exists(rel) for rel in found) and "artisan" not in facts.copied_names():
            return
        chowned = any(c.program in ("chown", "chmod") and any(w.rstrip("/").endswith(LARAVEL_WRITABLE)
                                                              or w.startswith("/var/www") for w in c.argv[1:])
                      for c in facts.commands())
        if chowned:
            plan.decisions.append("storage/ and bootstrap/cache keep the owner the build gave them (www-data "
                                  "writes there)")
        else:
            plan.warnings.append("Laravel writes to storage/ and bootstrap/cache, which the build leaves owned by "
                                 "root: the web server's www-data workers cannot write there (as in the original); "
                                 "add `chown -R www-data:www-data storage bootstrap/cache` to the build")

    # ---------------------------------------------------------------- apt-installed PHP
    def apt_server(self) -> None:
        facts, plan = self.facts, self.plan
        prog = program(start_argv(facts))
        if prog not in APT_STARTERS and not prog.startswith("php"):
            raise Refusal(f"PHP from packages, but the image starts {prog or 'nothing of its own'}, not Apache or "
                          "PHP: what the build installs besides the packages is not known to the runtime",
                          reason="php-apt-not-the-server")
        built = next((c for c in facts.commands() if c.program in ("make", "configure", "cmake", "ninja")
                      or c.argv[:1] == ["./configure"]), None)
        if built:
            raise Refusal(f"the build compiles software of its own (`{' '.join(built.argv[:2])}`) on a base "
                          "with PHP from packages: the runtime cannot be made smaller without losing it",
                          reason="php-apt-builds-software")
        family = "alpine" if facts.is_alpine else "debian"
        keep = [p.split("=")[0] for p in facts.packages]
        keep = [p for p in dict.fromkeys(keep) if p not in BUILD_PACKAGES and not p.endswith(("-dev", "-devel"))
                and "$" not in p]
        plan.runtime_packages += keep + system_libraries(facts.packages, family)
        plan.copy("/etc/php", "/etc/php", "PHP's configuration as the build left it")
        # tzdata (a PHP dependency) asks for a time zone unless apt runs unattended
        plan.runtime_args.append("ARG DEBIAN_FRONTEND=noninteractive")
        plan.decisions.append(f"runtime {plan.runtime_base}, the original's base: PHP and the web server come from "
                              "its packages, installed again without the build tools (" + " ".join(keep) + ")")

    # ---------------------------------------------------------------- all together
    def build(self) -> BuildPlan:
        facts, plan = self.facts, self.plan
        runtime.start(facts, plan, {"COMPOSER_ALLOW_SUPERUSER", "COMPOSER_HOME", "COMPOSER_MEMORY_LIMIT",
                                    "COMPOSER_NO_INTERACTION", "PHPIZE_DEPS"})
        official = facts.image_name == "php"
        if not official and not (_apt_php(facts) and facts.image_name in ("debian", "ubuntu")):
            raise Refusal(f"PHP comes from {facts.image}, neither an official php image nor Debian/Ubuntu packages: "
                          "a runtime with the same PHP cannot be named (build FROM php:<version>-apache or -fpm)",
                          reason="php-unknown-base")
        plan.runtime_base = facts.image
        if official:
            plan.decisions.append(f"runtime {facts.image}: the same PHP image without the build's tools, "
                                  "composer and -dev packages")
            self.extensions()
            plan.runtime_packages += system_libraries(facts.packages, "alpine" if facts.is_alpine else "debian")
            carry_runtime_tools(facts, plan, self.options, (".php",), skip=set(plan.runtime_packages), libraries=True)
        else:
            self.apt_server()
        self.apache_config()
        self.composer()
        self.app()
        plan.base_has_cmd = official and facts.cmd is None and facts.entrypoint is None
        runtime.entry(facts, plan, lambda argv: None)
        options = self.options
        if options.user is None and (facts.user is None or is_root_user(facts.user)):
            # apache and php-fpm bind as root and drop to www-data themselves
            options = records.replace(options, user="root")
        runtime.finish(facts, plan, options, shell_base=plan.runtime_base)
        return plan


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return PhpPlanner(facts, options).build()
