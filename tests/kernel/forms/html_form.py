"""Read rendered form HTML back the way a browser would submit it, and list its elements, for the tests."""

from html.parser import HTMLParser

from django.http import QueryDict


class FormReader(HTMLParser):
    """Collects what a browser would POST (text values, ticked boxes, textarea text) and every element's attrs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.post = QueryDict(mutable=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "input" and "name" in attributes:
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    self.post.appendlist(attributes["name"], attributes["value"])
            elif kind != "file":
                self.post.appendlist(attributes["name"], attributes.get("value", ""))
        if tag == "textarea":
            self._textarea, self._text = attributes["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # A browser drops the newline that follows <textarea>.
            self.post.appendlist(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None


def read(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader
