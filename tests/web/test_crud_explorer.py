"""The CRUD explorer's page: its forms come from the lesson's options."""

from __future__ import annotations

import re


def test_databases_page_shows_the_crud_forms_and_the_explorer_script(client):
    html = client.get("/lessons/databases").text
    assert 'data-widget="crud-explorer"' in html
    for label, method, path in [
        ("Create", "POST", "/books"),
        ("Read", "GET", "/books/{book_id}"),
        ("Update", "PATCH", "/books/{book_id}"),
        ("Delete", "DELETE", "/books/{book_id}"),
    ]:
        assert f'data-label="{label}" data-method="{method}" data-path="{path}"' in html
    assert 'data-instruments="sql"' in html
    assert "js/widgets/crud-explorer/main.js" in html
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)
    assert ".crud-form fieldset" in client.get(stylesheet).text
