"""Java (Maven, Gradle): the exact jar or war on a JRE of the same Java major.

The planner is put together from one piece per concern: the start command (start.py), build-tool
start commands (tool_start.py), jar copies (jars.py), servlet containers (servlet.py) and the runtime
base (runtime_base.py); the archives the build files name come from outputs.py, the Java major from
version.py."""
from __future__ import annotations

from msbrewrite.support import records

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv, is_root_user
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Refusal
from msbrewrite.languages.common import carry_runtime_tools, runtime_libraries
from msbrewrite.languages.java.detect import NAME
from msbrewrite.languages.java.jars import JarCopies
from msbrewrite.languages.java.outputs import BuildOutputs
from msbrewrite.languages.java.runtime_base import RuntimeBase
from msbrewrite.languages.java.servlet import ServletDeploy
from msbrewrite.languages.java.start import StartCommand
from msbrewrite.languages.java.tool_run import tool_run
from msbrewrite.languages.java.tool_start import ToolStart
from msbrewrite.languages.java.version import java_major

BUILD_ENV = {"MAVEN_OPTS", "MAVEN_CONFIG", "MAVEN_HOME", "M2_HOME", "MAVEN_ARGS", "MAVEN_VERSION", "GRADLE_HOME",
             "GRADLE_USER_HOME", "GRADLE_OPTS", "GRADLE_VERSION", "JAVA_HOME", "JDK_HOME", "ORG_GRADLE_PROJECT_version"}


class JavaPlanner(StartCommand, ToolStart, JarCopies, ServletDeploy, RuntimeBase):
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "java.Dockerfile.j2", "")
        self.runs = [r for r in (tool_run(c) for c in facts.commands()) if r]
        self.outputs = BuildOutputs(facts, self.runs)
        self.word_map: dict[str, str] = {}      # entry words to replace (jar globs -> exact or collected)
        self.command_map: list[str] | None = None   # whole new command for build-tool runs
        self.major, self.major_why, self.major_unknown = java_major(facts, self.outputs)
        self.collect_dir = "/out"
        self.cwd = facts.workdir        # where the command being read runs (a leading `cd` moves it)

    def build(self) -> BuildPlan:
        facts, plan, options = self.facts, self.plan, self.options
        runtime.start(facts, plan, BUILD_ENV)
        if facts.user and not is_root_user(facts.user):
            kept_user = [i for i in facts.stage.instructions if i.keyword == "USER" and i.index not in plan.builder_drop]
            if kept_user:
                self.collect_dir = "/tmp/out"   # a non-root builder cannot create /out
        servlet = self.plan_servlet()
        if not servlet:
            self.plan_entry()
            self.script_fallback()
            if facts.cmd is None and facts.entrypoint is None:
                runs = self.outputs.package_runs()
                if not runs:
                    raise Refusal("Java image with no build step and no CMD/ENTRYPOINT: nothing to run",
                                  reason="no-entrypoint")
                jar = self.jar_for_run(runs[-1] if len(runs) == 1 else None, "the original has no CMD")
                plan.entrypoint = ["java", "-jar", jar]
                plan.warnings.append("the original had no CMD or ENTRYPOINT; the runtime runs the built jar")
            if not plan.artifacts:
                raise Refusal("Java build found, but not what the image runs (CMD/ENTRYPOINT names no jar, "
                              "class path, installDist script or build-tool run)", reason="artifact-not-found")
            self.choose_base()
            app_files.stage(facts, plan, "java")
        runtime.entry_script(facts, plan, command_argv(facts.entrypoint) or command_argv(facts.cmd))
        runtime.entry(facts, plan, self.rewrite, self.shell_rewrite)
        libs = runtime_libraries(facts.packages, "debian")
        if not servlet:
            carry_runtime_tools(facts, plan, options, (".java", ".kt", ".groovy", ".scala"))
        if libs and not servlet:
            plan.runtime_packages += libs
            plan.needs_shell = True     # needs a package manager: the temurin (Ubuntu) JRE
        shell_base = self.builder_jdk() if self.major_unknown else self.jre("slim")
        opts = options
        if servlet and options.user is None and facts.user is None:
            opts = records.replace(options, user="root")   # the container writes to its root-owned home
        runtime.finish(facts, plan, opts, shell_base=shell_base)
        if "distroless/java" in plan.runtime_base and plan.entrypoint is None:
            plan.entrypoint = []
            plan.decisions.append("ENTRYPOINT [] clears distroless java's own [\"/usr/bin/java\", \"-jar\"], "
                                  "so CMD runs as written")
        plan.decisions.insert(0, f"Java version {self.major_why}" if self.major_unknown
                              else f"Java {self.major} ({self.major_why})")
        return plan


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return JavaPlanner(facts, options).build()
