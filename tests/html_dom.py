"""The status page's DOM read back by tests: text by element id, and (class, text) of cells."""

from __future__ import annotations

import html.parser


class Dom(html.parser.HTMLParser):
    """Text by element id, and (class, text) of cells (of the served page or Chromium's dumped DOM)."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, str] = {}
        self.cells: list[tuple[str, str]] = []
        self._open: list[tuple[str | None, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("meta", "br", "link", "img", "input"):
            return
        attributes = dict(attrs)
        self._open.append((attributes.get("id"), attributes.get("class")))

    def handle_endtag(self, tag):
        if self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._open:
            element_id, element_class = self._open[-1]
            if element_id:
                self.ids[element_id] = self.ids.get(element_id, "") + data
            if element_class:
                self.cells.append((element_class, data))

    def column(self, name: str) -> list[str]:
        return [text for cls, text in self.cells if cls == name]
