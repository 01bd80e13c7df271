"""Municipality: links that leave the site."""


def test_absolute_url_takes_paths_with_or_without_the_town_prefix(town_a, settings):
    """reverse() inside a /t/<code>/ request already carries the prefix; in a task it does not. Both give one link."""
    settings.BASE_URL = "https://yakuba.example.jp"
    expected = "https://yakuba.example.jp/t/10382/notices/"
    assert town_a.absolute_url("/notices/") == expected
    assert town_a.absolute_url("/t/10382/notices/") == expected
