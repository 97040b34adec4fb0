"""The start command: CMD/ENTRYPOINT words that name a built binary (or `cargo run`) become its
runtime path, a command that still needs cargo is refused, and an image without CMD runs the
default binary."""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.plan import Refusal
from msbrewrite.model.shell import Command, resolve, split_words


class StartCommand:
    """RustPlanner's start command (needs facts, plan, cargo and binaries)."""

    def rewrite(self, argv: list[str]) -> list[str] | None:
        if argv[:2] == ["cargo", "run"]:
            cut = argv.index("--") if "--" in argv else len(argv)
            # the binary `cargo run` picks: --bin, else the package's (-p) default-run or only binary
            names, default = self.cargo.bins_for(Command(["cargo", "build", *argv[2:cut]], {}, self.facts.workdir))
            want = default or (names[0] if len(names) == 1 else None) or self.plan.extra.get("default_bin")
            dests = list(self.binaries.values())
            match = [d for d in dests if posixpath.basename(d) == want]
            if not match and len(dests) > 1:
                raise Refusal(f"`{' '.join(argv[:cut])}`: which of the binaries built ("
                              f"{', '.join(posixpath.basename(d) for d in dests)}) it runs is unknown; name it "
                              "with --bin", reason="artifact-not-found")
            return [(match or dests)[0], *argv[cut + 1:]]
        out = list(argv)
        for i, word in enumerate(argv):
            if _is_script(word):
                out[i] = self._rewrite_script(word)
            else:
                out[i] = self._binary_dest(word, first=i == 0) or word
        return out if out != argv else None

    def _binary_dest(self, word: str, first: bool) -> str | None:
        """The runtime path of a word that names a built binary, None for any other word."""
        for src, dest in self.binaries.items():
            name = posixpath.basename(src)
            if word == name and first and "/" not in word:
                return dest
            if "/" in word and (resolve(word, self.facts.workdir) == src or
                                (word.endswith("/" + name) and "target/" in word)):
                return dest
        return None

    def _rewrite_script(self, script: str) -> str:
        """A `sh -c` script: each binary path in it becomes its runtime path, the rest stays as written."""
        for word in dict.fromkeys(split_words(script)):
            dest = self._binary_dest(word, first=False) if "/" in word else None
            if dest:
                script = re.sub(rf"(?<![\w./-]){re.escape(word)}(?![\w./-])", dest, script)
        return script

    def entry_without_cmd(self) -> None:
        """No CMD: run the package's default-run binary, else the only one, else the first (and say so)."""
        dests = list(self.binaries.values())
        default = self.plan.extra.get("default_bin")
        chosen = next((d for d in dests if posixpath.basename(d) == default), dests[0])
        self.plan.entrypoint = [chosen]
        self.plan.decisions.append("the original had no CMD; the runtime runs the built binary")
        if len(dests) > 1 and posixpath.basename(chosen) != default:
            others = ", ".join(d for d in dests if d != chosen)
            self.plan.warnings.append(f"the original had no CMD and the build makes {len(dests)} binaries: ENTRYPOINT "
                                      f"runs {chosen}, the first; the others ({others}) are there to run instead")

    def check_no_build_tools(self) -> None:
        for value in (self.plan.entrypoint, self.plan.cmd):
            words = value if isinstance(value, list) else (value or "").split()
            if any(re.fullmatch(r"[\"']?(cargo|rustc|rustup)", w) for w in words):
                raise Refusal("the start command still runs cargo inside a shell command; "
                              "rewrite it to run the binary, then convert", reason="entrypoint-uses-build-tool")


def _is_script(word: str) -> bool:
    """A word that is a shell script of its own (the argument of `sh -c`), not one path."""
    return len(split_words(word)) > 1


def command_words(argv: list[str]) -> list[str]:
    """The words of a start command, the words of a `sh -c` script included."""
    return [w for word in argv for w in (split_words(word) if _is_script(word) else [word])]
