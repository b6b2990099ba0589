"""The page that lists what a learner's code can import, linked from every page."""

from __future__ import annotations

import platform
import re
from importlib.metadata import version


def test_the_packages_page_lists_each_package_with_its_installed_version(client):
    page = client.get("/packages")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    rows = dict(re.findall(r"<tr><td>([a-z0-9-]+)</td><td>([^<]+)</td>", page.text))
    for name in ("email-validator", "orjson", "sqlmodel", "aiosqlite", "jinja2", "fastapi"):
        assert rows[name] == version(name)
    assert f"Python {platform.python_version()}" in page.text
    assert "<code>import email_validator</code>" in page.text


def test_every_page_links_to_the_packages_page(client, course):
    for path in ("/", f"/lessons/{course.lessons[0].slug}", "/progress"):
        assert 'href="/packages"' in client.get(path).text
