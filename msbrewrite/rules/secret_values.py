"""Recognising secrets by name and by value (tokens, keys, credentials in URLs)."""
from __future__ import annotations

from msbrewrite.support import lazy_re

# "auth" and "pass" only as whole name parts: NPM_AUTH, AUTH_TOKEN, DB_PASS, but not AUTHOR,
# OAUTH_CALLBACK_URL or BYPASS_CACHE; "pwd" and "pw" only as suffix parts (MYSQL_PWD, ADMIN_PW), since
# PWD alone is the shell's working directory
SECRET_RE = lazy_re.compile(r"(?i)(token|secret|passw(or)?d|passphrase|api[_-]?key|private[_-]?key|credential"
                            r"|(?<![a-z0-9])auth(?![a-z0-9])|(?<![a-z0-9])pass(?![a-z0-9])|(?<=[_-])pwd?(?![a-z0-9]))")


# a URL that carries a password: postgres://user:secret@db/app (DATABASE_URL, REDIS_URL, ...)
URL_PASSWORD_RE = lazy_re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@")


# a URL whose user part is a variable or a token: https://${GH_TOKEN}@github.com/...
URL_USER_RE = lazy_re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://([^/\s:@]+)@")


# well-known token formats, recognised by value whatever the variable is called; each is a
# prefix and one bounded character class, so matching stays linear
SECRET_VALUES = (
    ("a GitHub token", lazy_re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
    ("a GitLab token", lazy_re.compile(r"\bglpat-[A-Za-z0-9_-]{20,}")),
    ("an npm token", lazy_re.compile(r"\bnpm_[A-Za-z0-9]{36}\b")),
    ("an AWS access key", lazy_re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a Slack token", lazy_re.compile(r"\bxox[bpas]-[0-9A-Za-z-]{10,}")),
    ("a Slack webhook", lazy_re.compile(r"hooks\.slack\.com/services/[A-Za-z0-9/]{10,}")),
    ("a Stripe live key", lazy_re.compile(r"\b[sr]k_live_[0-9A-Za-z]{10,}")),
    ("a Google API key", lazy_re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("a private key", lazy_re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY")),
    ("a JSON Web Token", lazy_re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
)


def has_url_password(value: str) -> bool:
    return bool(URL_PASSWORD_RE.search(value))


def secret_value_kind(value: str) -> str | None:
    """What a value is when it has a well-known token format ("a GitHub token"), else None."""
    for kind, pattern in SECRET_VALUES:
        if pattern.search(value):
            return kind
    return None


def has_url_credentials(value: str) -> bool:
    """A URL that logs in: a password, or a user part that is a variable or a token."""
    if has_url_password(value):
        return True
    for m in URL_USER_RE.finditer(value):
        user = m.group(1)
        if "$" in user or secret_value_kind(user) or SECRET_RE.search(user) or len(user) >= 20:
            return True
    return False
