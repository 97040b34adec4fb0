"""Java (Maven, Gradle): the exact jar or war on a JRE of the same Java major."""
from __future__ import annotations

import dataclasses
import fnmatch
import posixpath
import re

from msbrewrite.rules import app_files, runtime
from msbrewrite.model.analysis import StageFacts, command_argv, expand_soft, is_root_user
from msbrewrite.model.dockerfile import expand
from msbrewrite.model.options import Options
from msbrewrite.model.plan import BuildPlan, Detection, Evidence, Refusal
from msbrewrite.model.quoting import sh, sh_glob
from msbrewrite.model.shell import Command, needs_shell, option_value, positional_args, resolve, shell_form_to_argv, split_words
from msbrewrite.languages.common import carry_runtime_tools, runtime_libraries
from msbrewrite.languages.java.build import Archive, gradle_projects, java_major_of, load_pom, maven_archives, maven_cli_props, maven_poms
from msbrewrite.languages.java.version import JavaMajor, downloaded_jdk, highest
from msbrewrite.languages.java.detect import GRADLE, JDK_IMAGES, MAVEN, NAME, SERVLET_WEBAPPS, SHELLS, TOOL_IMAGES, tool_of

BUILD_ENV = {"MAVEN_OPTS", "MAVEN_CONFIG", "MAVEN_HOME", "M2_HOME", "MAVEN_ARGS", "MAVEN_VERSION", "GRADLE_HOME",
             "GRADLE_USER_HOME", "GRADLE_OPTS", "GRADLE_VERSION", "JAVA_HOME", "JDK_HOME", "ORG_GRADLE_PROJECT_version"}
_MAVEN_VALUE_FLAGS = {"-f", "--file", "-pl", "--projects", "-s", "--settings", "-gs", "--global-settings", "-P",
                      "--activate-profiles", "-T", "--threads", "-rf", "--resume-from", "-l", "--log-file", "-D",
                      "-t", "--toolchains", "-b", "--builder"}
_GRADLE_VALUE_FLAGS = {"-p", "--project-dir", "-x", "--exclude-task", "-b", "--build-file", "-c", "--settings-file",
                       "-g", "--gradle-user-home", "--console", "--warning-mode", "-I", "--init-script", "-P", "-D",
                       "--max-workers", "--priority", "-M", "--write-verification-metadata"}
_MAVEN_PACKAGE = {"package", "install", "verify", "deploy", "spring-boot:repackage", "jar:jar", "war:war",
                  "assembly:single", "shade:shade"}
_GRADLE_PACKAGE = {"build", "assemble", "bootJar", "jar", "shadowJar", "war", "bootWar", "installDist",
                   "installBootDist"}
# Temurin publishes JRE images for these majors; distroless (Debian 12) for 17 and 21
TEMURIN_JRE = (8, 11, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25)
DISTROLESS_JAVA = (17, 21)
LTS = (8, 11, 17, 21, 25)
DEFAULT_MAJOR = 17
# default-jdk of a distribution release
DEFAULT_JDK = {("ubuntu", "18.04"): 11, ("ubuntu", "bionic"): 11, ("ubuntu", "20.04"): 11, ("ubuntu", "focal"): 11,
               ("ubuntu", "22.04"): 11, ("ubuntu", "jammy"): 11, ("ubuntu", "24.04"): 21, ("ubuntu", "noble"): 21,
               ("debian", "10"): 11, ("debian", "buster"): 11, ("debian", "11"): 11, ("debian", "bullseye"): 11,
               ("debian", "12"): 17, ("debian", "bookworm"): 17}
_JAR_SKIP = r"-(plain|sources|javadoc|tests|test-fixtures)\.jar$"
_SKIP_CASE = "|".join(f"*-{k}.jar" for k in ("plain", "sources", "javadoc", "tests", "test-fixtures"))
_JAVA_VALUE_OPTS = {"-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules", "--add-opens",
                    "--add-exports", "--add-reads", "-splash"}


@dataclasses.dataclass
class ToolRun:
    kind: str              # maven | gradle
    argv: list[str]
    cwd: str
    goals: list[str]       # goals / tasks, module prefixes kept
    project_dir: str       # builder directory of the build (after -f / -p)

    @property
    def packages(self) -> bool:
        names = {g.rsplit(":", 1)[-1] if self.kind == "gradle" else g for g in self.goals}
        return bool(names & (_MAVEN_PACKAGE if self.kind == "maven" else _GRADLE_PACKAGE))

    @property
    def launcher(self) -> str:
        return self.argv[0]


def tool_run(c: Command) -> ToolRun | None:
    kind, argv = tool_of(c)
    if not kind:
        return None
    flags = _MAVEN_VALUE_FLAGS if kind == "maven" else _GRADLE_VALUE_FLAGS
    goals = positional_args(argv[1:], flags)
    project = c.cwd
    if kind == "maven":
        f = option_value(argv, "-f", "--file")
        if f:
            path = resolve(f, c.cwd)
            project = posixpath.dirname(path) if path.endswith(".xml") else path
    else:
        p = option_value(argv, "-p", "--project-dir")
        if p:
            project = resolve(p, c.cwd)
    return ToolRun(kind, argv, c.cwd, goals, project)


class JavaPlanner:
    def __init__(self, facts: StageFacts, options: Options):
        self.facts = facts
        self.options = options
        self.plan = BuildPlan(NAME, "java.Dockerfile.j2", "")
        self.runs = [r for r in (tool_run(c) for c in facts.commands()) if r]
        self.word_map: dict[str, str] = {}      # entry words to replace (jar globs -> exact or collected)
        self.command_map: list[str] | None = None   # whole new command for build-tool runs
        self.archives_cache: dict[tuple, list[tuple[str, Archive]]] = {}
        self.major_unknown = False
        self.major, self.major_why = self.java_major()
        self.collect_dir = "/out"
        self.cwd = facts.workdir        # where the command being read runs (a leading `cd` moves it)

    # ------------------------------------------------------------------ Java version
    def java_major(self) -> tuple[int, str]:
        """The highest Java the builder image, packages, downloads or build files name."""
        found = highest([self.image_major(), self.package_major(), downloaded_jdk(self.facts), self.build_major()])
        if found is None:
            self.major_unknown = True
            return DEFAULT_MAJOR, "not known: the builder's tag, packages, downloads and build files do not say"
        top, lower = found
        why = top.why
        if lower:
            why += "; above " + ", ".join(f"{j.major} ({j.why})" for j in lower)
        return top.major, why

    def image_major(self) -> JavaMajor | None:
        facts = self.facts
        name, tag = facts.image_name, facts.image_tag
        m = re.search(r"(?:jdk|jre|openjdk|temurin|corretto|zulu|java|graalvm|semeru|sapmachine|liberica|open)-?(\d+)", tag)
        if name in JDK_IMAGES or re.fullmatch(r"openjdk\d+", name):
            lead = re.match(r"(\d+)", tag) or re.search(r"(\d+)$", name)
            if lead and java_major_of(lead.group(1)):
                return JavaMajor(java_major_of(lead.group(1)), f"builder image {facts.image}")
        if m and java_major_of(m.group(1)):
            return JavaMajor(java_major_of(m.group(1)), f"builder image {facts.image}")
        return None

    def package_major(self) -> JavaMajor | None:
        facts = self.facts
        for pkg in facts.packages:
            pm = re.fullmatch(r"(?:openjdk-?|java-|temurin-|amazon-corretto-|zulu)(\d+)(?:[-.].*)?", pkg)
            if pm and java_major_of(pm.group(1)):
                return JavaMajor(java_major_of(pm.group(1)), f"package {pkg}")
            if pkg.startswith("default-jdk") or pkg.startswith("default-jre"):
                major = DEFAULT_JDK.get((facts.image_name, facts.image_tag))
                if major:
                    return JavaMajor(major, f"{pkg} on {facts.image_name}:{facts.image_tag}")
        return None

    def build_major(self) -> JavaMajor | None:
        levels = [level for level in (self.build_level(run) for run in self.runs) if level]
        return JavaMajor(max(levels), "the Java level set in the build file") if levels else None

    def build_level(self, run: ToolRun) -> int | None:
        """The highest level the run's build files set (every module: one may target a newer Java)."""
        ctx_dir = self.context_dir(run)
        if ctx_dir is None:
            return None
        if run.kind == "maven":
            levels = [pom.java_release() for pom in maven_poms(self.facts.context, posixpath.join(ctx_dir, "pom.xml"),
                                                                 maven_cli_props(run.argv))]
        else:
            levels = [proj.java_release() for proj in
                      gradle_projects(self.facts.context, ctx_dir, posixpath.basename(run.project_dir))]
        return max((lv for lv in levels if lv), default=None)

    # ------------------------------------------------------------------ archives from build files
    def context_dir(self, run: ToolRun) -> str | None:
        markers = ["pom.xml"] if run.kind == "maven" else ["settings.gradle", "settings.gradle.kts", "build.gradle",
                                                             "build.gradle.kts"]
        for mk in markers:
            rel = self.facts.context_path(posixpath.join(run.project_dir, mk))
            if rel is not None and self.facts.context.exists(rel):
                return posixpath.dirname(rel)
        return None

    def archives(self, run: ToolRun) -> list[tuple[str, Archive]]:
        """(builder path, archive) for every archive the run's project builds, [] when unknown."""
        key = (run.kind, tuple(run.argv), run.cwd, run.project_dir)
        if key not in self.archives_cache:
            self.archives_cache[key] = self._archives(run)
        return self.archives_cache[key]

    def _archives(self, run: ToolRun) -> list[tuple[str, Archive]]:
        ctx_dir = self.context_dir(run)
        if ctx_dir is None:
            return []
        out = []
        if run.kind == "maven":
            props = maven_cli_props(run.argv)
            pl = option_value(run.argv, "-pl", "--projects")
            found = maven_archives(self.facts.context, posixpath.join(ctx_dir, "pom.xml"), props,
                                   pl.split(",") if pl else None)
        else:
            projects = gradle_projects(self.facts.context, ctx_dir, posixpath.basename(run.project_dir))
            modules = {g.rsplit(":", 1)[0].lstrip(":") for g in run.goals if ":" in g}
            if modules:
                projects = [p for p in projects if posixpath.relpath(p.dir or ".", ctx_dir or ".") in
                            {m.replace(":", "/") for m in modules}] or projects
            found = [a for a in (p.archive() for p in projects) if a]
        for a in found:
            rel = posixpath.relpath(a.path, ctx_dir or ".")
            out.append((posixpath.normpath(posixpath.join(run.project_dir, rel)), a))
        return out

    def package_runs(self) -> list[ToolRun]:
        return [r for r in self.runs if r.packages]

    def known_archives(self) -> list[tuple[str, Archive]]:
        out = []
        for run in self.package_runs():
            for item in self.archives(run):
                if item[0] not in [o[0] for o in out]:
                    out.append(item)
        return out

    def runnable(self, archives: list[tuple[str, Archive]]) -> tuple[str, Archive] | None:
        """The one archive `java -jar` can run: runnable jars first, then the only jar."""
        jars = [a for a in archives if a[1].kind == "jar"]
        fat = [a for a in jars if a[1].runnable]
        for group in (fat, jars):
            if len(group) == 1:
                return group[0]
        return None

    # ------------------------------------------------------------------ copies
    def copy_jar(self, path: str, why: str) -> None:
        if posixpath.basename(path) == "quarkus-run.jar":
            # Quarkus fast-jar: the launcher jar loads lib/, app/ and quarkus/ from its own directory
            app_dir = posixpath.dirname(path)
            if app_dir not in self.plan.produced:
                self.plan.copy(app_dir, app_dir, "the Quarkus application (quarkus-run.jar and its directories)")
            return
        if path not in self.plan.produced:
            self.plan.copy(path, path, why)
        for built, archive in self.known_archives():
            if built == path and archive.class_path_dir:
                libs = posixpath.join(posixpath.dirname(path), archive.class_path_dir)
                if libs not in self.plan.produced:
                    self.plan.copy(libs, libs, "dependencies the jar's manifest Class-Path names")

    def collect(self, pattern: str, why: str) -> str:
        """Builder step that copies the runnable jar matching `pattern` to a fixed path; its runtime path.
        The step cannot fail the build: when no jar matches, the build log says so and the runtime gets
        an empty folder, so the container stops at start as the original's command would."""
        out_dir = self.collect_dir
        out = posixpath.join(out_dir, "app.jar")
        dest = posixpath.join(self.facts.workdir, "app.jar")
        if out_dir + "/" in self.plan.produced:
            return dest
        missing = sh(f"msb: no runnable jar matches {pattern}: the runtime has no {dest}")
        # a plain loop (no ls | grep): POSIX sh, busybox and hadolint all accept it
        self.plan.builder_append.append(
            f"# collect the runnable jar ({why}): the largest jar that is not a plain, sources, javadoc or tests jar\n"
            f"RUN mkdir -p {out_dir}; \\\n"
            f"    for jar in {sh_glob(pattern)}; do \\\n"
            f"      case \"$jar\" in {_SKIP_CASE}) continue ;; esac; \\\n"
            f"      [ -f \"$jar\" ] || continue; \\\n"
            f"      if [ ! -f {out} ] || [ \"$(wc -c < \"$jar\")\" -gt \"$(wc -c < {out})\" ]; then cp \"$jar\" {out}; fi; \\\n"
            f"    done; \\\n"
            f"    [ -f {out} ] || echo {missing} >&2")
        self.plan.copy(out_dir + "/", posixpath.dirname(dest).rstrip("/") + "/",
                       "the runnable jar, collected in the builder")
        self.plan.decisions.append(f"jar collected from {pattern} to {out} in the builder ({why})")
        self.plan.warnings.append(f"the jar's name is not known before the build: when no jar matches {pattern}, "
                                  f"the build log says `msb: no runnable jar matches` and the runtime has no {dest} "
                                  "(convert with --context to name it)")
        return dest

    def output_glob(self, run: ToolRun | None) -> str:
        d = run.project_dir if run else self.cwd
        return posixpath.join(d, "target/*.jar" if (run is None or run.kind == "maven") else "build/libs/*.jar")

    def jar_for_run(self, run: ToolRun | None, why: str) -> str:
        """Runtime path of the runnable jar a build produces: exact from build files, else collected."""
        archives = self.archives(run) if run else self.known_archives()
        pick = self.runnable(archives)
        if pick:
            self.check_repackaged(pick[0])
            self.copy_jar(pick[0], f"the application jar ({'from ' + pick[1].project_dir + '/' if pick[1].project_dir else 'named by the build file'})")
            self.plan.decisions.append(f"jar {posixpath.basename(pick[0])} named by the build file")
            return pick[0]
        return self.collect(self.output_glob(run), why)

    # ------------------------------------------------------------------ the command that runs
    def locate(self, ref: str) -> None:
        """A jar path named by `java -jar`: copy it exactly, or resolve its glob."""
        workdir = self.cwd
        path = resolve(ref, workdir)
        if "$" in path:
            raise Refusal(f"the jar path {ref} depends on a variable msb cannot resolve", reason="artifact-not-found")
        if not re.search(r"[*?\[]", path):
            known = [p for p, _ in self.known_archives()]
            if known and path not in known and self.facts.context_path(path) is None:
                self.plan.warnings.append(f"the command runs {ref}, but the build files name {', '.join(known)}")
            self.copy_jar(path, "the jar the command runs")
            return
        matches = [(p, a) for p, a in self.known_archives() if fnmatch.fnmatch(p, path)
                   and not re.search(_JAR_SKIP, p)]
        pick = matches[0] if len(matches) == 1 else self.runnable(matches)
        if pick:
            self.check_repackaged(pick[0])
            self.copy_jar(pick[0], "the jar the command's pattern matches, named by the build file")
            new = posixpath.relpath(pick[0], workdir) if not ref.startswith("/") else pick[0]
            self.word_map[ref] = new if ref.startswith("/") or not new.startswith("..") else pick[0]
            self.plan.decisions.append(f"{ref} is {pick[0]} (named by the build file)")
            return
        self.word_map[ref] = self.collect(path, f"the command names {ref}")

    def check_repackaged(self, path: str) -> None:
        """Spring Boot's plugin without the starter parent or a repackage goal leaves a jar java -jar cannot run."""
        for run in self.package_runs():
            ctx_dir = self.context_dir(run)
            if run.kind != "maven" or ctx_dir is None:
                continue
            for builder_path, archive in self.archives(run):
                if builder_path != path or not archive.spring_boot:
                    continue
                pom = load_pom(self.facts.context, posixpath.join(archive.project_dir, "pom.xml"))
                note = (f"{archive.project_dir or '.'}/pom.xml: spring-boot-maven-plugin has no repackage goal and the "
                        "parent is not spring-boot-starter-parent; unless a parent POM binds it, the jar is not runnable")
                if pom and pom.parent_artifact != "spring-boot-starter-parent" and note not in self.plan.warnings and \
                        "repackage" not in _xml_text(pom.plugins.get("spring-boot-maven-plugin")):
                    self.plan.warnings.append(note)

    def classpath(self, value: str) -> str:
        """Copy each classpath entry; build output classes become the built jar when it is known."""
        entries = value.split(":")
        out = []
        for e in entries:
            if not e:
                continue
            path = resolve(e[:-2] if e.endswith("/*") else e, self.cwd)
            if "$" in path or "*" in path.replace("/*", ""):
                raise Refusal(f"classpath entry {e} cannot be resolved", reason="artifact-not-found")
            if path.endswith("/target/classes") or path.endswith("/build/classes/java/main"):
                project = path.rsplit("/target/classes", 1)[0].rsplit("/build/classes/", 1)[0]
                archive = next(((p, a) for p, a in self.known_archives() if a.kind == "jar" and not a.spring_boot
                                and re.sub(r"/(target|build/libs)/[^/]+$", "", p) == project), None)
                if archive:
                    self.copy_jar(archive[0], "the jar that holds the compiled classes")
                    out.append(archive[0])
                    continue
            if not any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.plan.produced):
                self.plan.copy(path, path, "classpath entry")
            out.append(e)
        return ":".join(out)

    def plan_java(self, argv: list[str]) -> list[str]:
        """Copies for a `java ...` argv; returns the argv to run (jar globs and classpaths mapped)."""
        new = ["java" if argv[0] != "java" and not argv[0].startswith("$") else argv[0]] + list(argv[1:])
        i = 1
        while i < len(new):
            w = new[i]
            if w == "-jar":
                # the jar is the first word after -jar that is not a JVM option
                j = i + 1
                while j < len(new) and new[j].startswith(("-", "$")):
                    j += 2 if new[j] in _JAVA_VALUE_OPTS else 1
                if j < len(new):
                    self.locate(new[j])
                    new[j] = self.word_map.get(new[j], new[j])
                break
            if w in ("-cp", "-classpath", "--class-path") and i + 1 < len(new):
                cp = self.classpath(new[i + 1])
                main = new[i + 2] if i + 2 < len(new) else None
                only = cp.split(":")
                archive = next((a for p, a in self.known_archives() if only == [p]), None)
                if archive and main and archive.main_class == main:
                    new[i:i + 3] = ["-jar", cp]
                    self.plan.decisions.append(f"java -cp ... {main} became java -jar: {main} is the jar's Main-Class")
                else:
                    new[i + 1] = cp
                break
            if w.startswith("-") or w.startswith("$"):    # $JAVA_OPTS expands to options
                i += 2 if w in _JAVA_VALUE_OPTS else 1
                continue
            break   # a main class with no classpath: nothing to copy we can name
        return new

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
            pom = load_pom(self.facts.context, posixpath.join(self.context_dir(run), "pom.xml")) \
                if self.context_dir(run) is not None else None
            repackaged = pom is not None and (pom.parent_artifact == "spring-boot-starter-parent" or
                                              "repackage" in _xml_text(pom.plugins.get("spring-boot-maven-plugin")))
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
        if main is None and self.context_dir(run) is not None:
            pom = load_pom(self.facts.context, posixpath.join(self.context_dir(run), "pom.xml"))
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
        ctx_dir = self.context_dir(run)
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

    def plan_entry(self) -> None:
        facts = self.facts
        ep = command_argv(facts.entrypoint) or []
        cmd = command_argv(facts.cmd) or []
        for ins, argv in ((facts.entrypoint, ep), (facts.cmd, cmd)):
            if ins is None or not argv:
                continue
            if not ins.is_json:
                argv = split_words(expand_soft(ins.args, facts.env))
            self.plan_command(argv, ins)

    def plan_command(self, argv: list[str], ins) -> None:
        inner = _unwrap_shell(argv)
        parts = _split_and(inner if inner is not None else argv)
        if inner is not None or len(parts) > 1:
            for part in parts:
                if part[0] == "cd" and len(part) > 1:
                    self.cwd = resolve(part[1], self.cwd)
                else:
                    self.plan_command(part, ins)
            self.cwd = self.facts.workdir
            return
        if argv and argv[0] == "exec":
            argv = argv[1:]
        if not argv:
            return
        prog = posixpath.basename(argv[0])
        if prog == "java":
            self.plan_java(argv)
        elif prog in MAVEN or prog in GRADLE:
            if ins is self.facts.cmd and self.facts.entrypoint is not None and \
                    command_argv(self.facts.entrypoint)[:1] and \
                    posixpath.basename(command_argv(self.facts.entrypoint)[0]) == "java":
                return      # arguments to a java ENTRYPOINT, not a command of their own
            self.command_map = self.plan_tool_run(argv)
        elif re.search(r"(^|/)build/install/[^/]+/bin/[^/]+$", argv[0]):
            d = resolve(argv[0], self.cwd).rsplit("/bin/", 1)[0]
            self.plan.copy(d, d, "the application installed by gradle installDist (start script and jars)")
            self.plan.needs_shell = True
            self.plan.decisions.append("installDist start script: a shell script, so the runtime keeps a shell")
        elif argv[0].endswith(".sh"):
            self.script_jars(resolve(argv[0], self.cwd))

    def script_jars(self, path: str) -> None:
        """Jars an entrypoint script starts, read from the context; else see script_fallback()."""
        for line in (self.facts.context_file(path) or "").splitlines():
            words = split_words(line)
            java = next((i for i, w in enumerate(words) if posixpath.basename(w) == "java"), None)
            if java is not None and "-jar" in words[java:]:
                before = set(self.plan.produced)
                try:
                    self.plan_java(words[java:])
                except Refusal:
                    continue        # a jar named through a variable: leave it to the fallback
                if self.plan.produced != before:
                    return
        self.script_unknown = True

    def script_fallback(self) -> None:
        """The script's jar is unknown: copy the build's jar directories, paths unchanged."""
        if not getattr(self, "script_unknown", False) or any(a.source.endswith((".jar", ".war"))
                                                             for a in self.plan.artifacts):
            return
        for run in self.package_runs():
            pattern = self.output_glob(run)
            if pattern not in self.plan.produced:
                self.plan.copy(pattern, posixpath.dirname(pattern) + "/", "jars the entrypoint script may start")
                self.plan.decisions.append(f"entrypoint script: {pattern} copied with its path (the script's jar "
                                           "is not known)")

    # ------------------------------------------------------------------ rewrite for runtime.entry
    def rewrite(self, argv: list[str]) -> list[str] | None:
        inner = _unwrap_shell(argv)
        if inner is not None:
            new_inner = self.rewrite(inner) if len(_split_and(inner)) == 1 else None
            if new_inner is not None and len(argv) == 3 and (
                    new_inner == self.command_map or shell_form_to_argv(" ".join(new_inner))):
                return new_inner    # `sh -c "java -jar x"` needs no shell once the glob is resolved
            text = argv[-1]
            for old, new in self.word_map.items():
                text = text.replace(old, new)
            return argv[:-1] + [text] if text != argv[-1] else None
        prog = posixpath.basename(argv[0]) if argv else ""
        if prog in MAVEN or prog in GRADLE:
            return self.command_map if self.command_map else None
        if prog == "java" or prog == "exec":
            new = [self.word_map.get(w, w) for w in argv]
            if prog == "java" and argv[0] != "java":
                new[0] = "java"   # the JRE's own java is on PATH; the JDK's absolute path is not there
            i = next((k for k, w in enumerate(new) if w in ("-cp", "-classpath", "--class-path")), None)
            if i is not None and i + 1 < len(new):
                cp = self.classpath(new[i + 1])
                main = new[i + 2] if i + 2 < len(new) else None
                archive = next((a for p, a in self.known_archives() if [p] == cp.split(":")), None)
                if archive and main and archive.main_class == main:
                    new[i:i + 3] = ["-jar", cp]
                else:
                    new[i + 1] = cp
            return new if new != argv else None
        return None

    def shell_rewrite(self, text: str) -> list[str] | str | None:
        words = split_words(text)
        new = self.rewrite(words)
        if new is None:
            return None
        if self.command_map is not None and new == self.command_map:
            return new      # a build-tool run became a java command of our own making
        # exec form when the only shell features were in the words we replaced (a jar glob)
        if new and new[0] not in SHELLS:
            source = _unwrap_shell(words) or words
            if not any(needs_shell(w) for w in source if w not in self.word_map):
                return new
        for old, repl in self.word_map.items():
            text = text.replace(old, repl)
        return text

    # ------------------------------------------------------------------ servlet containers
    def plan_servlet(self) -> bool:
        facts, plan = self.facts, self.plan
        home = SERVLET_WEBAPPS.get(facts.image_name)
        if not home:
            return False
        webapps = posixpath.join(home, "webapps")
        catalina = facts.env.get("CATALINA_HOME", home) if facts.image_name == "tomcat" else home
        deployed = False
        for cp in facts.copies:
            if cp.from_stage:
                continue
            dest = posixpath.normpath(cp.dest)
            if dest.startswith(catalina + "/") and not dest.startswith(webapps):
                plan.copy(dest, dest, "container configuration")
            deployed |= dest.startswith(webapps)
        for c in facts.commands():
            if c.program in ("cp", "mv", "ln") and any(resolve(w, c.cwd).startswith(webapps) for w in c.argv[1:]):
                deployed = True
        if not deployed:
            raise Refusal(f"{facts.image_name} base, but nothing is deployed into {webapps}", reason="artifact-not-found")
        plan.copy(webapps, webapps, "the deployed web applications")
        plan.workdir = catalina     # the container's own working directory, not the build directory
        tag = facts.image_tag
        if "jdk" in tag:
            tag = tag.replace("jdk", "jre")
        else:
            tag = (tag + "-" if tag != "latest" else "") + f"jre{self.major}"
        plan.runtime_base = f"{facts.image_name}:{tag}"
        plan.decisions.append(f"web application on {facts.image_name}: the same container on a JRE ({plan.runtime_base})")
        if facts.cmd is None and facts.entrypoint is None:
            plan.base_has_cmd = True
        return True

    # ------------------------------------------------------------------ the plan
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
                runs = self.package_runs()
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
            opts = dataclasses.replace(options, user="root")   # the container writes to its root-owned home
        runtime.finish(facts, plan, opts, shell_base=shell_base)
        if "distroless/java" in plan.runtime_base and plan.entrypoint is None:
            plan.entrypoint = []
            plan.decisions.append("ENTRYPOINT [] clears distroless java's own [\"/usr/bin/java\", \"-jar\"], "
                                  "so CMD runs as written")
        plan.decisions.insert(0, f"Java version {self.major_why}" if self.major_unknown
                              else f"Java {self.major} ({self.major_why})")
        return plan

    def jre(self, flavour: str) -> str:
        major = self.major
        if major not in TEMURIN_JRE:
            newer = [m for m in TEMURIN_JRE if m > major and m in LTS]
            major = newer[0] if newer else major
            note = f"no JRE image for Java {self.major}; using Java {major} (the next LTS), which runs its classes"
            if note not in self.plan.warnings:
                self.plan.warnings.append(note)
        if flavour == "alpine":
            return f"eclipse-temurin:{major}-jre-alpine"
        return f"eclipse-temurin:{major}-jre"

    def builder_jdk(self) -> str:
        """The runtime when the Java version is unknown: a lower JRE fails with UnsupportedClassVersionError,
        so the builder's own JDK image runs the jar, or the conversion is refused."""
        facts = self.facts
        if facts.image_name in JDK_IMAGES | TOOL_IMAGES or re.fullmatch(r"openjdk\d+", facts.image_name):
            return expand(facts.image, facts.from_args)
        raise Refusal(f"the Java version of {facts.image} is not known (no version in its tag, JDK package or "
                      "build file): a runtime with a lower Java would not run the classes; build FROM a JDK image "
                      "with a version tag", reason="java-version-unknown")

    def choose_base(self) -> None:
        flavour = self.options.flavour(NAME)
        plan = self.plan
        if self.major_unknown:
            plan.runtime_base = self.builder_jdk()
            plan.decisions.append(f"runtime {plan.runtime_base}, the builder's own JDK: its Java version is not "
                                  "known and a lower JRE would not run the classes")
            return
        if flavour in ("slim", "alpine") or self.major not in DISTROLESS_JAVA:
            plan.runtime_base = self.jre(flavour)
        else:
            plan.runtime_base = f"gcr.io/distroless/java{self.major}-debian12"
            if flavour == "scratch":
                plan.warnings.append("a jar needs a JVM: distroless java instead of scratch")
        if self.facts.image_name != "eclipse-temurin" and re.match(r"openjdk", self.facts.image_name):
            plan.decisions.append(f"{self.facts.image} is deprecated; the runtime uses the matching Temurin/distroless JRE")


def _xml_text(el) -> str:
    return "".join(el.itertext()) if el is not None else ""


def _unwrap_shell(argv: list[str]) -> list[str] | None:
    """Words of `sh -c "..."`, None for anything else."""
    if len(argv) >= 3 and argv[0] in SHELLS and argv[1] in ("-c", "-ec", "-lc"):
        return split_words(argv[2])
    return None


def _split_and(words: list[str]) -> list[list[str]]:
    parts, cur = [], []
    for w in words:
        if w in ("&&", ";", "||"):
            if cur:
                parts.append(cur)
            cur = []
        else:
            cur.append(w)
    if cur:
        parts.append(cur)
    return parts


def plan(facts: StageFacts, detection: Detection, options: Options) -> BuildPlan:
    return JavaPlanner(facts, options).build()
