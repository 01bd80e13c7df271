"""Form widgets of the UI kit: RichTextarea, a textarea that kernel/ui's richtext.js turns into a small rich-text
editor (見出し・太字・箇条書き・表・リンク) posting HTML. Without JavaScript it stays a plain textarea; the service's
sanitiser (nh3) is the only trust boundary either way."""

from __future__ import annotations

from typing import Any

from django import forms

HEADINGS = ("h2", "h3", "h4")


class RichTextarea(forms.Textarea):
    """A textarea with a toolbar and an editable region drawn by script. `heading` is the level the 見出し button
    makes: the one below the page's own headings where the text is shown (h2 under the page's h1)."""

    template_name = "ui/widgets/richtext.html"

    def __init__(self, attrs: dict[str, Any] | None = None, *, heading: str = "h2") -> None:
        if heading not in HEADINGS:
            raise ValueError(f"heading must be one of {HEADINGS}")
        super().__init__({"rows": 12, **(attrs or {})})
        self.heading = heading

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"]["data-richtext"] = self.heading
        # The editable region borrows the field's label, hint and error (ids from the field template and BoundField).
        widget["editor"] = {"describedby": widget["attrs"].get("aria-describedby", ""),
                            "invalid": widget["attrs"].get("aria-invalid", "")}
        return context


def map_picker_config(centre: tuple[float, float], *, zoom: int = 15) -> dict[str, Any]:
    """The config of the place picker (ui/components/map_picker.html, static yakuba/map_picker.js): where its map
    opens and which tiles it draws. The picker is two inputs (latitude, longitude) that work without script."""
    from django.conf import settings

    return {"centre": [centre[0], centre[1]], "zoom": zoom, "tiles": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION}
