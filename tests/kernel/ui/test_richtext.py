"""The UI kit's RichTextarea: the textarea a form posts stays as it is (no script needed), and the toolbar and the
editable region for richtext.js wait in a <template>, named after the field's label, hint and error."""

from __future__ import annotations

import lxml.html
import pytest
from django import forms

from yakuba.kernel.ui.widgets import RichTextarea


class BodyForm(forms.Form):
    body = forms.CharField(label="本文", widget=RichTextarea(heading="h3"), required=True,
                           help_text="書式を付けられます。")


def _page(form: forms.Form) -> lxml.html.HtmlElement:
    return lxml.html.fragment_fromstring(form["body"].as_field_group(), create_parent="div")


def test_the_textarea_is_there_with_its_name_and_value_and_the_editor_waits_in_a_template():
    html = _page(BodyForm(initial={"body": "<h3>見出し</h3><p>段落 & 記号</p>"}))
    root = html.xpath("//*[@data-richtext-for='id_body']")[0]
    area = root.xpath(".//textarea")[0]
    assert area.get("name") == "body" and area.get("id") == "id_body" and area.get("data-richtext") == "h3"
    assert area.get("aria-describedby") == "id_body_helptext" and area.get("rows") == "12"
    assert area.text_content().strip() == "<h3>見出し</h3><p>段落 & 記号</p>"  # escaped in the page, the value as is
    template = root.xpath(".//template[@data-richtext-template]")[0]
    toolbar = template.xpath(".//*[@role='toolbar']")[0]
    assert toolbar.get("aria-label") == "書式" and toolbar.get("aria-controls") == "id_body_editor"
    buttons = toolbar.xpath(".//button")
    assert [b.text_content() for b in buttons] == ["見出し", "太字", "箇条書き", "番号付き", "表を挿入", "リンク",
                                                   "元に戻す"]
    assert all(b.get("type") == "button" for b in buttons)
    assert [b.get("aria-pressed") for b in buttons] == ["false"] * 4 + [None] * 3
    assert buttons[5].get("aria-controls") == "id_body_link" and buttons[5].get("aria-expanded") == "false"
    editor = template.xpath(".//*[@id='id_body_editor']")[0]
    assert editor.get("contenteditable") == "true" and editor.get("role") == "textbox"
    assert editor.get("aria-multiline") == "true" and editor.get("aria-labelledby") == "id_body_label"
    assert editor.get("aria-describedby") == "id_body_helptext" and editor.get("aria-invalid") is None
    link = template.xpath(".//*[@id='id_body_link']")[0]
    assert link.get("hidden") is not None and link.xpath(".//label[@for='id_body_url']")
    assert link.xpath(".//input[@id='id_body_url']")[0].get("name") is None  # never posted with the form
    assert [s.get("src") for s in root.xpath(".//script")] == ["/static/yakuba/richtext.js"]
    assert root.xpath(".//script")[0].get("defer") is not None and not root.xpath(".//*[@style]")


def test_a_refused_field_marks_the_editor_and_points_it_at_the_error():
    form = BodyForm(data={"body": ""})
    assert not form.is_valid()
    editor = _page(form).xpath(".//template//*[@id='id_body_editor']")[0]
    assert editor.get("aria-invalid") == "true"
    assert editor.get("aria-describedby") == "id_body_helptext id_body_error"


def test_only_the_headings_a_body_may_hold():
    with pytest.raises(ValueError):
        RichTextarea(heading="h1")
