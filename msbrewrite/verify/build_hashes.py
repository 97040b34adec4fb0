"""Names a frontend build makes from its content (`index-BYw4zvdk.js`, `start.2a622a63.js`,
SvelteKit's `__sveltekit_1qakusw`): two builds of the same sources rarely give the same ones (a
timestamp, a path or a chunk order differs), so verify compares them without the hash."""
from __future__ import annotations

import posixpath

from msbrewrite.support import lazy_re

# a part of a file name between dots or dashes, before its suffix
_PART = lazy_re.compile(r"(?<=[.\-_~])([A-Za-z0-9_]{8,})(?=\.[A-Za-z0-9]{1,12}\b)")
_SVELTEKIT_ID = lazy_re.compile(r"__sveltekit_[0-9a-z]+")


def looks_hashed(part: str) -> bool:
    """A hash, not a word: it holds a digit, a capital after its first letter beside small ones
    (base64url), or only capitals (Angular's base32)."""
    return (any(ch.isdigit() for ch in part) or part.isupper()
            or any(ch.isupper() for ch in part[1:]) and any(ch.islower() for ch in part))


def _unhash(match) -> str:
    return "#" if looks_hashed(match.group(1)) else match.group(1)


def without_hashes(text: str) -> str:
    """`text` (a page, a file name) with every content hash in a file name replaced by `#`."""
    return _SVELTEKIT_ID.sub("__sveltekit_#", _PART.sub(_unhash, text))


def hashed_name(path: str) -> str | None:
    """`/app/build/_app/entry/start.#.js` for a path whose file name holds a hash, else None."""
    name = posixpath.basename(path)
    unhashed = without_hashes(name)
    return posixpath.join(posixpath.dirname(path), unhashed) if unhashed != name else None
