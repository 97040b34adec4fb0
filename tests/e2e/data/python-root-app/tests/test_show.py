def test_page():
    assert True
