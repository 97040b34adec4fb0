"""Secret-looking files: one rule for every place that decides what reaches the runtime stage.

A file is secret-looking by its name (`.aws/credentials`, `*.key`, a keystore, `.pgpass`...) or by
its content (a PEM private-key header, a service-account JSON, `aws_secret_access_key`). A dotenv
file counts when it holds a value that looks like a secret; one without is plain configuration.

- What only the build uses (registry credentials: `.npmrc`, `.pypirc`, `.netrc`, `pip.conf`,
  `.yarnrc.yml` tokens, `auth.json`, docker and cargo logins) never reaches the runtime.
- Any other secret-looking file reaches the runtime only when the app reads it at run time (a
  dotenv loader in the code, a path the code, the start command or an ENV value names): the
  original shipped it and the app needs it, so it stays and the report names it with the way to
  pass it at run time instead. A file the app does not read is left out and named in the report.

Reads are bounded (a prefix of each file, a capped number of files) and every pattern is a
literal or a regular expression without nested repetition.
"""
from __future__ import annotations

import posixpath
import re

from msbrewrite.model.analysis import StageFacts
from msbrewrite.support import lazy_re
from msbrewrite.support.records import field, record

HEAD_BYTES = 16 * 1024          # a secret's marker sits near the start of its file
MAX_CONTENT_FILES = 400         # files read to look for secrets by content
MAX_SOURCE_FILES = 3000         # source files read to find what the app loads
SOURCE_BYTES = 256 * 1024

DOTENV = "dotenv file"
ENV_LIKE = "environment file with a secret"
TEMPLATE_SUFFIXES = ("example", "sample", "template", "dist")


@record(frozen=True)
class Secret:
    path: str                    # as given: relative to the app directory, or a builder path
    kind: str                    # "dotenv file", "private key", "AWS credentials"...
    build_only: bool = False     # registry credentials: the app itself never needs them
    read_by: str | None = None   # where the app reads it ("main.go:12", "the start command")

    @property
    def kept(self) -> bool:
        return self.read_by is not None and not self.build_only


# --- by name ------------------------------------------------------------------------------------

# file name -> (kind, build only)
_NAMES = {
    ".npmrc": ("npm registry credentials", True), ".pypirc": ("PyPI credentials", True),
    ".netrc": ("netrc credentials", True), "_netrc": ("netrc credentials", True),
    ".git-credentials": ("git credentials", True), "pip.conf": ("pip configuration", True),
    "pip.ini": ("pip configuration", True),
    ".envrc": ("direnv file", False), ".pgpass": ("PostgreSQL password file", False),
    ".my.cnf": ("MySQL option file", False), ".htpasswd": ("htpasswd file", False),
    ".vault-token": ("Vault token", False),
    "id_rsa": ("SSH private key", False), "id_dsa": ("SSH private key", False),
    "id_ecdsa": ("SSH private key", False), "id_ed25519": ("SSH private key", False),
}
# the last two path parts -> (kind, build only): names that are only secret in their folder
_IN_FOLDER = {
    (".aws", "credentials"): ("AWS credentials", False), (".kube", "config"): ("Kubernetes config", False),
    (".docker", "config.json"): ("Docker registry credentials", True),
    (".cargo", "credentials"): ("cargo registry credentials", True),
    (".cargo", "credentials.toml"): ("cargo registry credentials", True),
    ("gh", "hosts.yml"): ("GitHub CLI token", True),
}
_SUFFIXES = {".key": ("private key", False), ".p12": ("PKCS#12 keystore", False),
             ".pfx": ("PKCS#12 keystore", False), ".jks": ("Java keystore", False),
             ".keystore": ("Java keystore", False)}
# names whose content decides: the file is ordinary configuration unless it holds a credential
_CONTENT_DECIDES = {".yarnrc.yml", "auth.json", "settings.xml", ".gitconfig"}
# extensions read for a secret by content (source code and documents never are)
_CONTENT_SUFFIXES = ("", ".json", ".pem", ".crt", ".cer", ".cert", ".txt", ".ini", ".cfg", ".conf", ".yml",
                     ".yaml", ".toml", ".xml", ".properties")


def is_dotenv(name: str) -> bool:
    """`.env`, `.env.production`; never a template such as `.env.example`."""
    if name == ".env":
        return True
    return name.startswith(".env.") and name[5:] not in TEMPLATE_SUFFIXES and "/" not in name


def by_name(path: str) -> tuple[str, bool] | None:
    """(kind, build only) when the name alone says the file holds a credential."""
    parts = [p for p in path.rstrip("/").split("/") if p]
    if not parts:
        return None
    name = parts[-1]
    if name in _NAMES:
        return _NAMES[name]
    if ".ssh" in parts:
        return ("SSH key", False)
    if len(parts) > 1 and (parts[-2], name) in _IN_FOLDER:
        return _IN_FOLDER[(parts[-2], name)]
    suffix = posixpath.splitext(name)[1].lower()
    return _SUFFIXES.get(suffix)


# --- by content ---------------------------------------------------------------------------------

_PRIVATE_KEY_RE = lazy_re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----")
_PEM_RE = lazy_re.compile(r"-----BEGIN [A-Z0-9 ]{1,40}-----")
_SERVICE_ACCOUNT_RE = lazy_re.compile(r'"type"[ \t\r\n]{0,20}:[ \t\r\n]{0,20}"service_account"')
# marker -> kind, each a plain substring (lowercase for the case-insensitive ones)
_MARKERS = (("aws_secret_access_key", "AWS credentials"), ("npmauthtoken", "yarn registry token"),
            ("npmauthident", "yarn registry token"), ("\"github-oauth\"", "Composer registry credentials"),
            ("\"http-basic\"", "Composer registry credentials"), ("oauth_token:", "GitHub CLI token"),
            ("<password>", "Maven server password"))
_BUILD_ONLY_MARKERS = {"yarn registry token", "Composer registry credentials", "GitHub CLI token",
                       "Maven server password"}


def by_content(text: str) -> tuple[str, bool] | None:
    """(kind, build only) when the first bytes of a file show a credential."""
    head = text[:HEAD_BYTES]
    if _PRIVATE_KEY_RE.search(head):
        return ("private key", False)
    if _SERVICE_ACCOUNT_RE.search(head) and '"private_key"' in head:
        return ("GCP service-account key", False)
    low = head.lower()
    for marker, kind in _MARKERS:
        if marker in low:
            return (kind, kind in _BUILD_ONLY_MARKERS)
    if "url" in low and "insteadof" in low and _has_url_credentials(head):
        return ("git configuration with a token", True)
    return None


def _has_url_credentials(text: str) -> bool:
    from msbrewrite.rules.secret_values import has_url_credentials
    return any(has_url_credentials(line) for line in text.splitlines())


def holds_secret_values(text: str) -> bool:
    """A dotenv file with a value that looks like a secret (by its name or by its value)."""
    from msbrewrite.rules.secret_values import SECRET_RE, has_url_password, secret_value_kind
    for line in text[:HEAD_BYTES * 4].splitlines():
        key, _, value = line.strip().removeprefix("export ").partition("=")
        value = value.strip()
        if not value:
            continue
        if SECRET_RE.search(key) or has_url_password(value) or secret_value_kind(value):
            return True
    return False


def classify(path: str, read) -> tuple[str, bool] | None:
    """(kind, build only) of a secret-looking file, or None. `read()` gives its text or None."""
    name = posixpath.basename(path.rstrip("/"))
    if is_dotenv(name):
        text = read()
        # without its text a dotenv file is taken as holding secrets: it stays out unless read
        return (DOTENV, False) if text is None or holds_secret_values(text) else None
    if name in _CONTENT_DECIDES:
        text = read()
        return by_content(text) if text else None
    found = by_name(path)
    suffix = posixpath.splitext(name)[1].lower()
    if found is None and name.startswith(".") and "." not in name[1:]:
        # `.postgres`, `.db`: a dotfile of KEY=value lines, one of them a password
        text = read()
        return (ENV_LIKE, False) if text and holds_secret_values(text) else None
    if found is None and suffix not in _CONTENT_SUFFIXES:
        return None
    text = read()
    if found and found[0] == "private key" and text and _PEM_RE.search(text[:HEAD_BYTES]) \
            and not _PRIVATE_KEY_RE.search(text[:HEAD_BYTES]):
        return None      # a certificate or a public key named *.key: nothing secret
    if found:
        return found
    return by_content(text) if text else None


# --- does the app read it -----------------------------------------------------------------------

# calls and imports that load a dotenv file when the app starts (any language)
_LOADERS = ("godotenv.Load(", "godotenv.Overload(", "godotenv.Read(", "joho/godotenv/autoload", "gotenv.Load(",
            'SetConfigFile(".env', 'SetConfigType("env")', "require('dotenv", 'require("dotenv',
            "from 'dotenv", 'from "dotenv', "import 'dotenv", 'import "dotenv', "dotenv.config(",
            "dotenv/config", "--env-file", "load_dotenv(", "dotenv_values(", "read_env(", "from decouple import",
            "import decouple", "Dotenv.load(", "Dotenv.configure(", "dotenvy::", "dotenv::dotenv", "dotenv().ok()",
            "Dotenv::create", "Dotenv\\Dotenv")
_LOADER_RE = lazy_re.compile("|".join(re.escape(s) for s in _LOADERS))
# pydantic-settings: env_file=".env" / env_file = ".env" (not compose's `env_file:`, a run-time option)
_ENV_FILE_RE = lazy_re.compile(r"\benv_file[ \t]{0,5}=")
# loaders that read every .env.* variant (dotenv-flow, a name built from NODE_ENV)
_ALL_VARIANTS = ("dotenv-flow", ".env.${", "'.env.' +", '".env." +', "`.env.${")
SOURCE_SUFFIXES = (".go", ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx", ".py", ".java", ".kt",
                   ".rs", ".rb", ".php", ".properties", ".yml", ".yaml", ".toml", ".ini", ".conf", ".cfg",
                   ".xml", ".json")
# tests, docs, CI and container files name .env files too, but the running app never opens them
_NOT_APP = lazy_re.compile(r"(?:^|/)(?:tests?|__tests__|testdata|spec|e2e|docs?|examples?|\.github|\.gitlab|\.circleci)/"
                           r"|_test\.go$|\.(?:test|spec)\."
                           r"[jt]sx?$|(?:^|/)test_[^/]*\.py$|(?:^|/)(?:docker-)?compose[^/]*\.ya?ml$|(?:^|/)Dockerfile")
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.")


@record
class Readers:
    dotenv: str | None = None           # where a dotenv loader is ("main.go:12"), else None
    all_variants: bool = False          # the loader reads every .env.* file
    mentions: dict = field(default_factory=dict)   # token -> where the app names it (None: nowhere)
    scanned: bool = False


def token(rel: str) -> str:
    """What the code names a file by: its name, with its folder when the name alone is generic."""
    parts = rel.strip("/").split("/")
    name = parts[-1]
    generic = name in ("config", "credentials", "config.json", "hosts.yml", "credentials.toml", "settings.xml",
                       "auth.json") or not posixpath.splitext(name)[1] and not name.startswith(".")
    return "/".join(parts[-2:]) if generic and len(parts) > 1 else name


def names_token(text: str, tok: str) -> bool:
    """`tok` appears in `text` as a whole path part (not inside a longer name)."""
    start = text.find(tok)
    while start >= 0:
        before = text[start - 1] if start else " "
        end = start + len(tok)
        after = text[end] if end < len(text) else " "
        # a sentence may end right after the name: "load site.key."
        if before not in _WORD_CHARS and (after not in _WORD_CHARS or after == "." and text[end + 1:end + 2]
                                          in ("", " ", "'", '"', "`", ")")):
            return True
        start = text.find(tok, start + 1)
    return False


def readers(facts: StageFacts, tokens: list[str]) -> Readers:
    """What the app reads: dotenv loaders, and where it names each of `tokens`. The sources are
    scanned once for the loaders, and again only for names not asked about before."""
    found = facts.memo.setdefault("secret-readers", Readers())
    missing = [t for t in dict.fromkeys(tokens) if t not in found.mentions]
    if found.scanned and not missing:
        return found
    hits: dict[str, str] = {}
    for where, text in _start_texts(facts):
        _scan_line(text, where, missing, hits, found)
    for rel in _app_sources(facts):
        text = _read(facts, rel, SOURCE_BYTES)
        if not text:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            _scan_line(line, f"{rel}:{n}", missing, hits, found)
    found.scanned = True
    found.mentions.update({t: hits.get(t) for t in missing})
    return found


def _app_sources(facts: StageFacts) -> list[str]:
    if not facts.context:
        return []
    files = [f for f in facts.context.files() if f.endswith(SOURCE_SUFFIXES) and not _NOT_APP.search(f)]
    return files[:MAX_SOURCE_FILES]


def _scan_line(line: str, where: str, tokens: list[str], hits: dict, found: Readers) -> None:
    if not found.scanned:
        if found.dotenv is None:
            m = _LOADER_RE.search(line) or _ENV_FILE_RE.search(line)
            if m:
                found.dotenv = f"{where}: {_loader_name(m.group(0))}"
        if not found.all_variants and any(v in line for v in _ALL_VARIANTS):
            found.all_variants = True
    for tok in tokens:
        if tok not in hits and tok in line and names_token(line, tok):
            hits[tok] = where


def _loader_name(match: str) -> str:
    """`require('dotenv` -> `dotenv`, `godotenv.Load(` -> `godotenv.Load`: the call as a reader says it."""
    for prefix in ("require(", "from ", "import "):
        match = match.removeprefix(prefix)
    return match.strip("('\" ")


def _start_texts(facts: StageFacts) -> list[tuple[str, str]]:
    """The start command and ENV values: what the image itself tells the app to open."""
    out = []
    for ins in (facts.entrypoint, facts.cmd):
        if ins is not None:
            out.append(("the start command", " ".join(ins.json_args) if ins.is_json else ins.args))
    out += [(f"ENV {k}", str(v)) for k, v in facts.env.items()]
    return out


def _read(facts: StageFacts, rel: str, limit: int) -> str | None:
    return facts.context.read(rel, limit) if facts.context else None


# --- the decision -------------------------------------------------------------------------------

def decide(facts: StageFacts, files: list[str], root: str | None) -> list[Secret]:
    """The secret-looking files among `files` (relative to the app directory; `root` is that
    directory in the context, None when the files are builder paths without context)."""
    def reader(rel):
        if root is None:
            return lambda: None
        path = rel if root in ("", ".") else posixpath.join(root, rel)
        return lambda: _read(facts, path, HEAD_BYTES * 4)

    # each context file is judged once per conversion, whichever pass asks first
    judged = facts.memo.setdefault("secret-kinds", {})
    found: list[tuple[str, tuple[str, bool]]] = []
    for rel in files:
        name = posixpath.basename(rel)
        key = (root, rel)
        if key not in judged:
            quick = is_dotenv(name) or name in _CONTENT_DECIDES or by_name(rel) is not None
            if not quick and (root is None or posixpath.splitext(name)[1].lower() not in _CONTENT_SUFFIXES
                              or judged.get("reads", 0) >= MAX_CONTENT_FILES):
                continue
            judged["reads"] = judged.get("reads", 0) + (not quick)
            judged[key] = classify(rel, reader(rel))
        kind = judged[key]
        if kind:
            found.append((rel, kind))
    if not found:
        return []
    wanted = [token(rel) for rel, (kind, build_only) in found if not build_only]
    seen = readers(facts, wanted)
    return [Secret(rel, kind, build_only, None if build_only else _read_by(rel, kind, seen))
            for rel, (kind, build_only) in found]


def _read_by(rel: str, kind: str, seen: Readers) -> str | None:
    """Where the app reads the file: a dotenv loader for `.env` (or every variant), else the
    first place that names it."""
    name = posixpath.basename(rel)
    if kind == DOTENV and seen.dotenv and (name == ".env" or seen.all_variants):
        return seen.dotenv
    return seen.mentions.get(token(rel))


def how_to_pass(kind: str, name: str) -> str:
    """The run-time way to give the app this file instead of baking it into the image."""
    if kind in (DOTENV, ENV_LIKE, "direnv file"):
        return f"`docker run --env-file {name}`, compose `env_file:` or a secret"
    return "a secret or a mounted volume: compose `secrets:`, `docker run -v`"



def keeps(facts: StageFacts, secret: Secret) -> bool:
    """Whether the runtime keeps the file: the app reads it, unless drop-dotenv leaves dotenv files out."""
    if secret.kind in (DOTENV, ENV_LIKE) and facts.memo.get("drop-dotenv"):
        return False
    return secret.kept


def record_kept(facts: StageFacts, plan, path: str, secret: Secret, line: int | None = None) -> None:
    """Name a secret the runtime keeps: a warning, and a finding for `msb check`."""
    kept = plan.extra.setdefault("kept_secrets", [])
    if any(k["path"] == path for k in kept):
        return
    kept.append({"path": path, "kind": secret.kind, "read_by": secret.read_by, "line": line})
    name = posixpath.basename(path)
    plan.warnings.append(f"{path} ({secret.kind}) stays in the runtime stage: the app reads it ({secret.read_by}) "
                         f"and the original image shipped it; pass it at run time instead with "
                         f"{how_to_pass(secret.kind, name)}, and add it to .dockerignore")


def record_dropped_dotenv(plan, path: str, secret: Secret) -> None:
    """drop-dotenv left out a dotenv file the app reads: the app needs it at run time."""
    plan.warnings.append(f"{path} ({secret.kind}) is left out (drop-dotenv) although the app reads it "
                         f"({secret.read_by}): pass it at run time with {how_to_pass(secret.kind, posixpath.basename(path))}")

