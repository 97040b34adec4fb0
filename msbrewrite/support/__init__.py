"""Small readers and helpers that know nothing of Dockerfiles: JSONC, TOML, ignore files,
walking a tree, printable text, the version.

May import: the standard library and third-party packages only (no other msbrewrite layer).
"""
