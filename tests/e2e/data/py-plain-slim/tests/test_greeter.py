import idna


def test_ascii_form():
    assert idna.encode("bücher.example") == b"xn--bcher-kva.example"
