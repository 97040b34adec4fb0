"""Ruby: the user's `bundle install` (without the development and test groups) and asset build in
the builder, then the same Ruby on its slim image with the gems (/usr/local/bundle), the
libraries their native extensions link, and the app directory.

Rails' `assets:precompile` and `bootsnap precompile` write into the app directory
(public/assets, tmp/cache), which reaches the runtime whole; Node and Yarn stay in the builder.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts
from msbrewrite.rules.app_matching import Rule
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.model.shell import option_value, resolve
from msbrewrite.languages.common import carry_runtime_tools, native_libs
from msbrewrite.languages.scripting import slim_tag, start_argv, system_libraries
from msbrewrite.languages.ruby.detect import NAME, is_bundle_install
from msbrewrite.support import lazy_re

GEM_HOME = "/usr/local/bundle"      # GEM_HOME and BUNDLE_APP_CONFIG of the official images
WITHOUT = "development:test"
BUILD_ENV = {"BUNDLE_JOBS", "BUNDLE_RETRY"}
RULES = [Rule("./node_modules", app_files.DEV_DEPENDENCIES)] + [Rule(p, "Ruby tests and development files") for p in
         ("./spec", ".rspec", ".rubocop.yml", ".rubocop_todo.yml", "./coverage", ".byebug_history")]
# a spec line of Gemfile.lock: four blanks, the name, its version in parentheses
_LOCK_SPEC_RE = lazy_re.compile(r"^    ([A-Za-z0-9_.-]+) \(([^)\n]*)\)", re.M)
_PRECOMPILED_RE = lazy_re.compile(r"-(x86_64|aarch64|arm64|arm)-linux")


class RubyPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "ruby.Dockerfile.j2", "")
        self.installs = [c for c in facts.commands() if is_bundle_install(c)]
        self.app_dir = self.installs[0].cwd if self.installs else facts.workdir

    def runtime_base(self) -> str:
        ref = self.facts.image.split("@")[0]
        repo = ref.rsplit(":", 1)[0] if ":" in ref.rsplit("/", 1)[-1] else ref
        return f"{repo}:{slim_tag(self.facts.image_tag)}"

    # ---------------------------------------------------------------- bundler
    def without_configured(self) -> bool:
        facts = self.facts
        if "BUNDLE_WITHOUT" in facts.env or "BUNDLE_ONLY" in facts.env:
            return True
        for c in facts.commands():
            if c.program == "bundle" and ("without" in c.argv[1:5] or "--without" in c.argv or "only" in c.argv[1:5]):
                return True
            if "BUNDLE_WITHOUT" in c.env:
                return True
        return False

    def set_without(self) -> None:
        facts, plan = self.facts, self.plan
        if not self.installs or self.without_configured():
            return
        env = {k: facts.env.get(k, "") for k in ("RAILS_ENV", "RACK_ENV", "APP_ENV")}
        if any(v in ("development", "test") for v in env.values()):
            plan.decisions.append("the app runs in a development or test environment: its Gemfile groups stay")
            return
        gemfile = facts.context_file(posixpath.join(self.app_dir, "Gemfile"))
        if gemfile is not None and not re.search(r"(?m)^[ \t]*group[ \t(].*:(development|test)", gemfile):
            return
        line = f"ENV BUNDLE_WITHOUT={WITHOUT}"
        plan.builder_after_from.append("# gems of the development and test groups stay out of the image\n" + line)
        # Bundler checks every group it was not told to skip: the runtime says the same
        plan.runtime_env.append(line)
        plan.decisions.append(f"BUNDLE_WITHOUT={WITHOUT} for the install and at run time: the runtime gets the "
                              "production gems only")

    def bundle_path(self) -> str | None:
        """Where the gems go when not to GEM_HOME (BUNDLE_PATH, `config set path`, deployment mode)."""
        facts = self.facts
        if facts.env.get("BUNDLE_PATH"):
            return resolve(facts.env["BUNDLE_PATH"], self.app_dir)
        for c in facts.commands():
            if c.program != "bundle":
                continue
            args = [a for a in c.argv[1:] if a not in ("--local", "--global")]
            if args[:3] == ["config", "set", "path"] and len(args) > 3:
                return resolve(args[3], c.cwd)
            if args[:2] == ["config", "path"] and len(args) > 2:
                return resolve(args[2], c.cwd)
            path = option_value(c.argv, "--path")
            if path:
                return resolve(path, c.cwd)
            if "--deployment" in c.argv or (args[:2] == ["config", "set"] and args[2:4] == ["deployment", "true"]):
                return resolve("vendor/bundle", c.cwd)
        if facts.env.get("BUNDLE_DEPLOYMENT") in ("1", "true"):
            return resolve("vendor/bundle", self.app_dir)
        return None

    def copy_gems(self) -> None:
        plan = self.plan
        plan.copy(GEM_HOME, GEM_HOME, "the gems and Bundler's settings (GEM_HOME, BUNDLE_APP_CONFIG)")
        path = self.bundle_path()
        if path and "$" not in path and path != GEM_HOME:
            inside = path.startswith(self.facts.workdir.rstrip("/") + "/") or \
                any(path.startswith(d.rstrip("/") + "/") for d in app_files.app_dirs(self.facts))
            if not inside:
                plan.copy(path, path, "the gems Bundler installed into its path")
            plan.decisions.append(f"Bundler installs into {path}" + (": it comes with the app directory" if inside
                                                                     else ": copied too"))

    # ---------------------------------------------------------------- libraries
    def locked_gems(self) -> dict[str, str]:
        text = self.facts.context_file(posixpath.join(self.app_dir, "Gemfile.lock"))
        return {m.group(1): m.group(2) for m in _LOCK_SPEC_RE.finditer(text or "")}

    def runtime_packages(self) -> None:
        facts, plan = self.facts, self.plan
        family = "alpine" if facts.is_alpine else "debian"
        libs = set(system_libraries(facts.packages, family))
        if family == "debian":
            table = native_libs().get("gems-debian", {})
            for gem, version in sorted(self.locked_gems().items()):
                if table.get(gem) and not _PRECOMPILED_RE.search(version):
                    found = set(table[gem].split()) - libs
                    if found:
                        libs |= found
                        plan.decisions.append(f"the {gem} gem links a system library: {' '.join(sorted(found))} "
                                              "in the runtime")
            if not facts.context and self.installs and "slim" not in facts.image_tag:
                plan.warnings.append(f"{facts.image} ships -dev libraries; without the build context Gemfile.lock "
                                     "was not read, so a gem compiled against one (pg needs libpq5, mysql2 "
                                     "libmariadb3) may need its library added to the runtime")
        plan.runtime_packages += sorted(libs)
        carry_runtime_tools(facts, plan, self.options, (".rb", ".erb", ".rake"), skip=libs, libraries=True)

    # ---------------------------------------------------------------- all together
    def build(self) -> BuildPlan:
        facts, plan = self.facts, self.plan
        runtime.start(facts, plan, BUILD_ENV)
        if facts.image_name != "ruby":
            raise Refusal(f"Ruby comes from {facts.image}, not a ruby image: its version is unknown, so no "
                          "matching runtime can be chosen (build FROM ruby:<version>)", reason="ruby-version-unknown")
        if not start_argv(facts):
            raise Refusal("no CMD or ENTRYPOINT: the image only starts irb, so there is no app to start",
                          reason="no-entrypoint")
        plan.runtime_base = self.runtime_base()
        plan.decisions.append(f"runtime {plan.runtime_base}: the same Ruby without compilers and -dev packages")
        self.set_without()
        self.copy_gems()
        if facts.find("rails", "assets:precompile") or any("assets:precompile" in c.argv for c in facts.commands()):
            plan.decisions.append("assets:precompile runs in the builder: public/assets comes with the app "
                                  "directory, Node and Yarn stay behind")
        if facts.find("bootsnap") or any("bootsnap" in c.argv for c in facts.commands()):
            plan.decisions.append("bootsnap's cache (tmp/cache) comes with the app directory")
        self.runtime_packages()
        app_files.stage(facts, plan, NAME, extra=RULES)
        runtime.entry_script(facts, plan, start_argv(facts))
        runtime.entry(facts, plan, lambda argv: None)
        runtime.finish(facts, plan, self.options, shell_base=plan.runtime_base)
        return plan


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return RubyPlanner(facts, options).build()
