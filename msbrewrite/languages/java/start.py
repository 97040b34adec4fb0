"""The start command: which jar, class path or installed script CMD/ENTRYPOINT run (a script's
`java -jar` line included), and the words the runtime's command gets in their place."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import command_argv, expand_soft
from msbrewrite.model.plan import Refusal
from msbrewrite.model.shell import needs_shell, resolve, shell_form_to_argv, shell_script, split_words
from msbrewrite.languages.java.detect import GRADLE, MAVEN, SHELLS

_JAVA_VALUE_OPTS = {"-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-modules", "--add-opens",
                    "--add-exports", "--add-reads", "-splash"}


class StartCommand:
    """JavaPlanner's reading and rewriting of CMD/ENTRYPOINT (needs facts, plan, outputs, word_map,
    command_map, cwd, and the JarCopies and ToolStart methods)."""

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
                archive = next((a for p, a in self.outputs.known_archives() if only == [p]), None)
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
        for run in self.outputs.package_runs():
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
                archive = next((a for p, a in self.outputs.known_archives() if [p] == cp.split(":")), None)
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


def _unwrap_shell(argv: list[str]) -> list[str] | None:
    """Words of `sh -c "..."`, None for anything else."""
    script = shell_script(argv)
    return split_words(script) if script is not None else None


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

