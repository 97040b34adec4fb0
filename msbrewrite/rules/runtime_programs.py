"""System programs a compiled app runs at run time (ffmpeg, git, cron, psql...).

A Go or Rust build that installs `ffmpeg` with apt and a binary that calls
`exec.Command("ffmpeg", ...)` needs ffmpeg in the runtime image too, and the distroless runtime
has none. With the build context, the sources and scripts say which installed programs the app
runs: those packages are installed in the runtime (on a base with a package manager). Without
the context, or for what nothing mentions, the report warns instead.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.model.shell import split_commands, split_words
from msbrewrite.support import lazy_re

# package -> the programs it installs, where the names differ from the package's
PROGRAMS = {
    "imagemagick": ("convert", "magick", "identify", "mogrify", "montage", "composite"),
    "graphicsmagick": ("gm",),
    "postgresql-client": ("psql", "pg_dump", "pg_restore", "pg_isready"),
    "default-mysql-client": ("mysql", "mysqldump"), "mariadb-client": ("mysql", "mariadb", "mysqldump"),
    "poppler-utils": ("pdftotext", "pdftoppm", "pdfinfo", "pdftocairo", "pdfunite", "pdfseparate"),
    "ghostscript": ("gs",), "tesseract-ocr": ("tesseract",), "libreoffice": ("soffice", "libreoffice"),
    "graphviz": ("dot",), "openssh-client": ("ssh", "scp"), "cron": ("cron", "crontab"),
    "netcat-openbsd": ("nc",), "netcat-traditional": ("nc",), "netcat": ("nc",),
    "iputils-ping": ("ping",), "dnsutils": ("dig", "nslookup"), "bind-tools": ("dig", "nslookup"),
    "p7zip-full": ("7z",), "libimage-exiftool-perl": ("exiftool",), "exiftool": ("exiftool",),
    "chromium": ("chromium", "chromium-browser"), "chromium-browser": ("chromium-browser", "chromium"),
    "nodejs": ("node",), "python3": ("python3", "python"), "sqlite3": ("sqlite3",), "sqlite": ("sqlite3",),
    "gettext-base": ("envsubst",), "gettext": ("envsubst", "msgfmt", "msgmerge", "xgettext", "msguniq"),
    "procps": ("ps", "pkill"),
    "supervisor": ("supervisord", "supervisorctl"), "tini": ("tini",), "dumb-init": ("dumb-init",),
    "gosu": ("gosu",), "su-exec": ("su-exec",), "wkhtmltopdf": ("wkhtmltopdf", "wkhtmltoimage"),
    "unrar": ("unrar",), "aria2": ("aria2c",), "youtube-dl": ("youtube-dl",), "yt-dlp": ("yt-dlp",),
    "mercurial": ("hg",), "subversion": ("svn",), "xz-utils": ("xz", "unxz"), "bzip2": ("bzip2", "bunzip2"),
}
# compilers and build systems: the binary is already built when the runtime starts
COMPILERS = {"gcc", "g++", "make", "cmake", "build-essential", "pkg-config", "pkgconf", "clang", "llvm", "lld",
             "musl", "musl-tools", "musl-dev", "binutils", "autoconf", "automake", "libtool", "ninja-build",
             "protobuf-compiler", "protoc", "upx", "upx-ucl", "nasm", "yasm", "ca-certificates", "gnupg",
             "gnupg2", "apt-transport-https", "software-properties-common", "lsb-release", "tzdata"}
MAX_FILES = 3000


def candidates(facts: StageFacts) -> list[str]:
    """Installed packages that may hold a program (not a library, a -dev package or a compiler)."""
    out = []
    for pkg in dict.fromkeys(p.split("=")[0] for p in facts.packages):
        if pkg.startswith(("-", "lib")) and pkg not in PROGRAMS or "$" in pkg or pkg in COMPILERS:
            continue
        if pkg.endswith(("-dev", "-devel", "-doc")) or pkg.startswith("python3-") or pkg.startswith("-"):
            continue
        out.append(pkg)
    return out


# libraries that start a browser the image provides (npm, PyPI, Go modules, crates)
BROWSER_DRIVERS = ("puppeteer", "puppeteer-core", "playwright", "playwright-core", "selenium-webdriver",
                   "webdriverio", "html-pdf-node", "chrome-aws-lambda", "@sparticuz/chromium", "whatsapp-web.js",
                   "selenium", "pyppeteer", "chromedp", "go-rod", "headless_chrome", "chromiumoxide", "fantoccini")
_MANIFESTS = ("package.json", "requirements.txt", "pyproject.toml", "Pipfile", "go.mod", "Cargo.toml")


def is_browser(pkg: str) -> bool:
    return pkg.startswith(("chromium", "google-chrome", "firefox", "microsoft-edge"))


def browser_driver(facts: StageFacts) -> str | None:
    """The browser-driving library a manifest in the context names, if any."""
    names = "|".join(re.escape(n) for n in BROWSER_DRIVERS)
    pattern = re.compile(r"(?<![\w@/.-])(" + names + r")(?![\w-])", re.I)
    for rel in facts.context.files()[:MAX_FILES]:
        if posixpath.basename(rel) in _MANIFESTS and "node_modules/" not in rel:
            m = pattern.search(facts.context.read(rel) or "")
            if m:
                return f"{m.group(1)} ({rel})"
    return None


def is_font(pkg: str) -> bool:
    return pkg == "fontconfig" or pkg.startswith(("fonts-", "ttf-", "xfonts-", "font-"))


def command_words(value) -> list[str]:
    """The words of a start command (exec form, or shell form as text), plus the words of the commands
    inside a shell string (`sh -c "ffmpeg ... && exec app"` runs ffmpeg too)."""
    if value is None:
        return []
    argv = split_words(value) if isinstance(value, str) else [str(w) for w in value]
    out = []
    for word in argv:
        out.append(word)
        if any(c.isspace() for c in word):
            out += [w for c in split_commands(word) for w in c.argv]
    return out


# framework commands that run a system program themselves: Django's compilemessages runs msgfmt
# for every .po file, makemessages runs xgettext and msgmerge (gettext)
FRAMEWORK_RUNS = {"compilemessages": ("msgfmt",), "makemessages": ("xgettext", "msgmerge", "msguniq")}
_FRAMEWORK_CALL = lazy_re.compile(r"(?:\bmanage\.py|\bdjango-admin)\s+(?:-\S+\s+)*(" + "|".join(FRAMEWORK_RUNS) + r")\b|"
                                  r"\bcall_command\(\s*[\"'](" + "|".join(FRAMEWORK_RUNS) + r")[\"']")


def framework_programs(line: str) -> list[str]:
    """Programs a framework command on this line runs (`python manage.py compilemessages` -> msgfmt)."""
    return [p for m in _FRAMEWORK_CALL.finditer(line) for p in FRAMEWORK_RUNS[m.group(1) or m.group(2)]]


def programs(pkg: str) -> tuple[str, ...]:
    return PROGRAMS.get(pkg, (pkg,))


def used_by_app(facts: StageFacts, packages: list[str], suffixes: tuple[str, ...],
                extra_words: list[str]) -> dict[str, str]:
    """package -> where the app runs one of its programs (file:line, or the start command)."""
    if not packages:
        return {}
    wanted = {name: pkg for pkg in packages for name in programs(pkg)}
    found: dict[str, str] = {}
    for word in extra_words + framework_programs(" ".join(extra_words)):
        pkg = wanted.get(posixpath.basename(word))
        if pkg and pkg not in found:
            found[pkg] = "the start command"
    names = "|".join(re.escape(n) for n in sorted(wanted, key=len, reverse=True))
    # a string literal that is the program or starts with it: exec.Command("ffmpeg", Command::new("git")
    in_code = re.compile(r"(?<![:\w])[\"'`](?:/usr/(?:local/)?s?bin/|/s?bin/)?(" + names + r")(?=[\"'`]|\s)")
    # a command in a script: at the start of a line or after ; & | ( exec then do
    in_script = re.compile(r"(?:^|[;&|(`]|\bexec|\bthen|\bdo|\belse)\s*(?:/usr/(?:local/)?s?bin/|/s?bin/)?("
                           + names + r")(?=\s|$|;|\))")
    started = set(started_scripts(facts, extra_words))
    files = [f for f in facts.context.files()[:MAX_FILES] if f.endswith(suffixes) or f in started]
    for rel in files:
        text = facts.context.read(rel) or ""
        script = rel.endswith((".sh", ".bash"))
        for n, line in enumerate(text.splitlines(), 1):
            if script and line.lstrip().startswith("#"):
                continue
            for m in (in_script if script else in_code).finditer(line):
                found.setdefault(wanted[m.group(1)], f"{rel}:{n}")
            for name in framework_programs(line):
                if name in wanted:
                    found.setdefault(wanted[name], f"{rel}:{n}")
        if len(found) == len(packages):
            break
    return found


def started_scripts(facts: StageFacts, words: list[str]) -> list[str]:
    """The context's shell scripts a start command runs (by name): those count, not a developer's
    helper script."""
    names = {posixpath.basename(w) for w in words if w.endswith((".sh", ".bash"))}
    if not names or not facts.context:
        return []
    return [f for f in facts.context.files()[:MAX_FILES] if f.endswith((".sh", ".bash")) and posixpath.basename(f) in names]


# the app's own source files, by language: where it may start a program
SOURCE_SUFFIXES = {"go": (".go",), "rust": (".rs",), "java": (".java", ".kt", ".groovy", ".scala"),
                   "node": (".js", ".cjs", ".mjs", ".ts"), "python": (".py",)}
_SHELL_NAME = r"(?:/usr)?(?:/bin/)?(?:sh|bash|ash|dash|zsh)"
# calls that run their argument through /bin/sh, or start a shell by name
_SHELL_CALLS = lazy_re.compile(
    # a shell named as the program: exec.Command("sh", Command::new("bash"), ProcessBuilder("sh", ...)
    r"(?:\bCommand::new|\bexec\.Command|\bexec\.CommandContext\([^,()]*,|\bProcessBuilder|"
    r"\bexec\(\s*new\s+String\[\]\s*\{|\bspawn(?:Sync)?\(|\bexecFile(?:Sync)?\(|"
    r"\bsubprocess\.\w+\(\s*\[|\bPopen\(\s*\[)\(?\s*[\"'`]" + _SHELL_NAME + r"[\"'`]"
    # a command line that starts sh: Runtime.exec("sh -c ..."), Runtime.exec("bash hooks/run.sh"),
    # any ["sh", "-c", ...]
    r"|\.exec\(\s*\"" + _SHELL_NAME + r"(?:\s|\")"
    r"|[\"'`]" + _SHELL_NAME + r"[\"'`]\s*,\s*[\"'`]-c[\"'`]"
    # Python: os.system, os.popen, shell=True, subprocess.getoutput, asyncio's shell subprocess
    r"|\bos\.(?:system|popen)\(|\bshell\s*=\s*True\b|\bsubprocess\.get(?:status)?output\("
    r"|\bcreate_subprocess_shell\("
    # Node: spawn(..., {shell: true})
    r"|\bshell\s*:\s*true\b")
# Node's child_process.exec/execSync run their command through /bin/sh (not RegExp.prototype.exec)
_NODE_EXEC = lazy_re.compile(r"(?:^|[^.\w$]|\bchild_process\.|\b(?:cp|childProcess|child)\.|"
                             r"\brequire\(\s*[\"'`](?:node:)?child_process[\"'`]\s*\)\.)exec(?:Sync)?\s*\(")
_TEST_FILE = lazy_re.compile(r"(^|/)(tests?|__tests__|testdata|spec|src/test)/|_test\.go$|(^|/)test_[^/]*\.py$|"
                             r"_test\.py$|\.(test|spec)\.[cm]?[jt]s$")


def starts_a_shell(facts: StageFacts, language: str) -> str | None:
    """Where the app's own code starts a shell at run time (file:line), if it does: `sh` and `bash`
    are programs it runs, like ffmpeg, and a runtime without them fails the call."""
    suffixes = SOURCE_SUFFIXES.get(language)
    if not suffixes or not facts.context:
        return None
    for rel in facts.context.files()[:MAX_FILES]:
        if not rel.endswith(suffixes) or _TEST_FILE.search(rel):
            continue
        text = facts.context.read(rel) or ""
        node = rel.endswith(SOURCE_SUFFIXES["node"]) and "child_process" in text
        for n, line in enumerate(text.splitlines(), 1):
            code = line.lstrip()
            if code.startswith(("//", "#", "*", "/*")):
                continue
            if _SHELL_CALLS.search(line) or (node and _NODE_EXEC.search(line)):
                return f"{rel}:{n}"
    return None
