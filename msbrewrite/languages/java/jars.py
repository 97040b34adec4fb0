"""Which jar (or class path) the runtime gets and how it is copied: the exact path the build
files name, else a builder step that collects the runnable jar to a fixed path."""
from __future__ import annotations

import fnmatch
import posixpath
import re

from msbrewrite.model.plan import Refusal
from msbrewrite.model.quoting import sh, sh_glob
from msbrewrite.model.shell import resolve
from msbrewrite.languages.java.maven import load_pom, xml_text
from msbrewrite.languages.java.tool_run import ToolRun

_JAR_SKIP = r"-(plain|sources|javadoc|tests|test-fixtures)\.jar$"
_SKIP_CASE = "|".join(f"*-{k}.jar" for k in ("plain", "sources", "javadoc", "tests", "test-fixtures"))


class JarCopies:
    """JavaPlanner's copies of the built jars (needs facts, plan, outputs, word_map, collect_dir, cwd)."""

    def copy_jar(self, path: str, why: str) -> None:
        if posixpath.basename(path) == "quarkus-run.jar":
            # Quarkus fast-jar: the launcher jar loads lib/, app/ and quarkus/ from its own directory
            app_dir = posixpath.dirname(path)
            if app_dir not in self.plan.produced:
                self.plan.copy(app_dir, app_dir, "the Quarkus application (quarkus-run.jar and its directories)")
            return
        if path not in self.plan.produced:
            self.plan.copy(path, path, why)
        for built, archive in self.outputs.known_archives():
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
        archives = self.outputs.archives(run) if run else self.outputs.known_archives()
        pick = self.outputs.runnable(archives)
        if pick:
            self.check_repackaged(pick[0])
            self.copy_jar(pick[0], f"the application jar ({'from ' + pick[1].project_dir + '/' if pick[1].project_dir else 'named by the build file'})")
            self.plan.decisions.append(f"jar {posixpath.basename(pick[0])} named by the build file")
            return pick[0]
        return self.collect(self.output_glob(run), why)

    def locate(self, ref: str) -> None:
        """A jar path named by `java -jar`: copy it exactly, or resolve its glob."""
        workdir = self.cwd
        path = resolve(ref, workdir)
        if "$" in path:
            raise Refusal(f"the jar path {ref} depends on a variable msb cannot resolve", reason="artifact-not-found")
        if not re.search(r"[*?\[]", path):
            known = [p for p, _ in self.outputs.known_archives()]
            if known and path not in known and self.facts.context_path(path) is None:
                self.plan.warnings.append(f"the command runs {ref}, but the build files name {', '.join(known)}")
            self.copy_jar(path, "the jar the command runs")
            return
        matches = [(p, a) for p, a in self.outputs.known_archives() if fnmatch.fnmatch(p, path)
                   and not re.search(_JAR_SKIP, p)]
        pick = matches[0] if len(matches) == 1 else self.outputs.runnable(matches)
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
        for run in self.outputs.package_runs():
            ctx_dir = self.outputs.context_dir(run)
            if run.kind != "maven" or ctx_dir is None:
                continue
            for builder_path, archive in self.outputs.archives(run):
                if builder_path != path or not archive.spring_boot:
                    continue
                pom = load_pom(self.facts.context, posixpath.join(archive.project_dir, "pom.xml"))
                note = (f"{archive.project_dir or '.'}/pom.xml: spring-boot-maven-plugin has no repackage goal and the "
                        "parent is not spring-boot-starter-parent; unless a parent POM binds it, the jar is not runnable")
                if pom and pom.parent_artifact != "spring-boot-starter-parent" and note not in self.plan.warnings and \
                        "repackage" not in xml_text(pom.plugins.get("spring-boot-maven-plugin")):
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
                archive = next(((p, a) for p, a in self.outputs.known_archives() if a.kind == "jar" and not a.spring_boot
                                and re.sub(r"/(target|build/libs)/[^/]+$", "", p) == project), None)
                if archive:
                    self.copy_jar(archive[0], "the jar that holds the compiled classes")
                    out.append(archive[0])
                    continue
            if not any(path == p or path.startswith(p.rstrip("/") + "/") for p in self.plan.produced):
                self.plan.copy(path, path, "classpath entry")
            out.append(e)
        return ":".join(out)

