"""The forms engine's HTML at 360 px: axe-core clean with and without errors, inside the site's CSS."""

from __future__ import annotations

from pathlib import Path

import pytest

import yakuba
from tests.browser.conftest import assert_accessible
from tests.kernel.forms.defs import moving_in
from yakuba.kernel.forms.render import render_page
from yakuba.kernel.forms.validate import validate

pytestmark = [pytest.mark.browser]

STATIC = Path(yakuba.__file__).parent / "kernel" / "ui" / "static" / "yakuba"


def page_html(body: str) -> str:
    css = (STATIC / "vendor" / "dads-tokens-1.1.9.css").read_text() + (STATIC / "yakuba.css").read_text()
    return (f'<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>転入届</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{css}</style></head>'
            f'<body><main id="main"><div class="container"><h1>転入届</h1><form method="post">{body}'
            f'<button type="submit">次へ</button></form></div></main></body></html>')


@pytest.mark.parametrize("page", [0, 1])
def test_rendered_pages_are_accessible(phone, page):
    definition = moving_in()
    phone.set_content(page_html(render_page(definition, {}, {}, page=page)))
    assert_accessible(phone)
    wrong = {"birthdate": "令和8年2月30日", "postal_code": "12", "applicant_kana": {"family": "yamada"}}
    errors = validate(definition, wrong, page=page).errors
    assert errors
    phone.set_content(page_html(render_page(definition, wrong, errors, page=page)))
    assert phone.locator(".error-summary").count() == 1
    assert_accessible(phone)
