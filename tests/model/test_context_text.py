"""Context files are read as the tools that read them would: UTF-8, or what a byte-order mark says."""
from __future__ import annotations

import pytest

from msbrewrite.model.context import Context, decode_text

TEXT = "flask==3.0.3\r\npsycopg2==2.9.9\r\n# café\r\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_text_with_or_without_a_byte_order_mark(encoding):
    data = TEXT.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):      # these codecs write no mark: add the one PowerShell writes
        data = ("\ufeff" + TEXT).encode(encoding)
    assert decode_text(data) == TEXT


def test_utf16_cut_in_the_middle_of_a_character_keeps_what_came_before():
    data = TEXT.encode("utf-16")
    assert decode_text(data[:-1]) == TEXT[:-1]


def test_invalid_bytes_never_fail_a_read(tmp_path):
    (tmp_path / "requirements.txt").write_bytes(b"flask\xff\xfe==3\n")
    assert Context(tmp_path).read("requirements.txt").startswith("flask")
    (tmp_path / "requirements.txt").write_bytes(TEXT.encode("utf-16"))
    assert Context(tmp_path).read("requirements.txt") == TEXT
