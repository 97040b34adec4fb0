"""What a start command that runs Maven or Gradle becomes: spring-boot:run and bootRun a
packaging step and `java -jar`, exec:java the classes and dependencies on `java -cp`, gradle run
the installDist start script."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.plan import Refusal
from msbrewrite.model.quoting import sh
from msbrewrite.model.shell import Command, option_value, split_words
from msbrewrite.languages.java.gradle import gradle_projects
from msbrewrite.languages.java.maven import load_pom, xml_text
from msbrewrite.languages.java.tool_run import ToolRun, tool_run


class ToolStart:
    """JavaPlanner's build-tool start commands (needs facts, plan, runs, outputs and jar_for_run)."""

    def plan_tool_run(self, argv: list[str]) -> list[str]:
        """`mvn spring-boot:run`, `gradle bootRun`, `mvn exec:java`: build in the builder, run with java."""
        run = tool_run(Command(argv, {}, self.cwd))
        goals = [g.rsplit(":", 1)[-1] if run.kind == "gradle" else g for g in run.goals]
        packaged = any(r.packages for r in self.runs)
        cd = f"cd {sh(run.cwd)} && " if run.cwd != self.facts.workdir else ""
        jvm: list[str] = []
        app: list[str] = []
        if run.kind == "maven" and "spring-boot:run" in goals:
            for w in argv:
                key, _, value = w[2:].partition("=") if w.startswith("-D") else ("", "", "")
                if key == "spring-boot.run.profiles":
                    jvm.append(f"-Dspring.profiles.active={value}")
                elif key == "spring-boot.run.jvmArguments":
                    jvm += split_words(value)
                elif key == "spring-boot.run.arguments":
                    app += split_words(value)
            pom = load_pom(self.facts.context, posixpath.join(self.outputs.context_dir(run), "pom.xml")) \
                if self.outputs.context_dir(run) is not None else None
            repackaged = pom is not None and (pom.parent_artifact == "spring-boot-starter-parent" or
                                              "repackage" in xml_text(pom.plugins.get("spring-boot-maven-plugin")))
            if not (packaged and repackaged):
                self.plan.builder_append.append(
                    "# build the Spring Boot jar that CMD used to run with spring-boot:run\n"
                    f"RUN {cd}{sh(run.launcher)} -B -DskipTests package spring-boot:repackage")
                self.plan.decisions.append("mvn spring-boot:run became a packaging step in the builder and java -jar")
            jar = self.jar_for_run(run, "built by spring-boot:repackage")
        elif run.kind == "gradle" and "bootRun" in goals:
            for w in argv:
                if w.startswith("--args="):
                    app += split_words(w[len("--args="):])
            if not any({g.rsplit(":", 1)[-1] for g in r.goals} & {"bootJar", "build", "assemble"}
                       for r in self.runs if r.kind == "gradle"):
                self.plan.builder_append.append(
                    "# build the Spring Boot jar that CMD used to run with bootRun\n"
                    f"RUN {cd}{sh(run.launcher)} bootJar --no-daemon")
                self.plan.decisions.append("gradle bootRun became a bootJar step in the builder and java -jar")
            jar = self.jar_for_run(run, "built by bootJar")
        elif run.kind == "maven" and "exec:java" in goals:
            return self.plan_exec_java(run, cd)
        elif run.kind == "gradle" and "run" in goals:
            return self.plan_gradle_run(run, cd, argv)
        else:
            raise Refusal(f"CMD runs the app through `{' '.join(argv[:3])}`: msb turns only spring-boot:run, "
                          "exec:java, bootRun and gradle run into the command they start", reason="unsupported-run-goal")
        return ["java", *jvm, "-jar", jar, *app]

    def plan_exec_java(self, run: ToolRun, cd: str) -> list[str]:
        main = option_value(run.argv, "-Dexec.mainClass")
        args = option_value(run.argv, "-Dexec.args")
        if main is None and self.outputs.context_dir(run) is not None:
            pom = load_pom(self.facts.context, posixpath.join(self.outputs.context_dir(run), "pom.xml"))
            main = pom.plugin_config("exec-maven-plugin", "mainClass") if pom else None
        if not main:
            raise Refusal("mvn exec:java without -Dexec.mainClass (and no pom.xml to read it from)",
                          reason="artifact-not-found")
        self.plan.builder_append.append(
            "# the classes and runtime dependencies that mvn exec:java used to run\n"
            f"RUN {cd}{sh(run.launcher)} -B -DskipTests compile dependency:copy-dependencies -DincludeScope=runtime \\\n"
            f"    && mkdir -p {sh(run.project_dir + '/target/dependency')}")
        classes = posixpath.join(run.project_dir, "target/classes")
        deps = posixpath.join(run.project_dir, "target/dependency")
        self.plan.copy(classes, classes, "compiled classes")
        self.plan.copy(deps, deps, "runtime dependencies")
        self.plan.decisions.append("mvn exec:java became java -cp with the classes and the runtime dependencies")
        return ["java", "-cp", f"{classes}:{deps}/*", main.strip("'\""), *split_words(args or "")]

    def plan_gradle_run(self, run: ToolRun, cd: str, argv: list[str]) -> list[str]:
        """`gradle run` (application plugin): installDist in the builder, its start script at run time."""
        ctx_dir = self.outputs.context_dir(run)
        projects = gradle_projects(self.facts.context, ctx_dir, posixpath.basename(run.project_dir)) \
            if ctx_dir is not None else []
        apps = [p for p in projects if p.application]
        if len(apps) != 1:
            raise Refusal("gradle run: the application's name (installDist's directory) needs the build context "
                          "with one project applying the application plugin", reason="artifact-not-found")
        app = apps[0]
        m = re.search(r"applicationName\s*(?:=|\.set\()\s*[\"']([^\"']+)[\"']", app.text)
        script = m.group(1) if m else app.name
        home = posixpath.normpath(posixpath.join(run.project_dir, posixpath.relpath(app.dir or ".", ctx_dir or "."),
                                                 "build/install", app.name))
        task = "installDist" if app.dir == ctx_dir else f":{posixpath.relpath(app.dir, ctx_dir or '.').replace('/', ':')}:installDist"
        self.plan.builder_append.append(
            "# install the application that CMD used to start with gradle run\n"
            f"RUN {cd}{sh(run.launcher)} {sh(task)} --no-daemon")
        self.plan.copy(home, home, "the application installed by gradle installDist (start script and jars)")
        self.plan.needs_shell = True
        self.plan.decisions.append(f"gradle run became installDist and its start script bin/{script} "
                                   "(a shell script, so the runtime keeps a shell)")
        args = [split_words(w[len("--args="):]) for w in argv if w.startswith("--args=")]
        return [posixpath.join(home, "bin", script), *(args[0] if args else [])]
