"""Take the README screenshot of the course page.

Usage: .venv/bin/python docs/screenshot.py docs/course-page.png
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from playwright.sync_api import sync_playwright
from tests.conftest import CONTENT_DIR, LiveServer, free_port

from deepdive.course.loader import load_course
from deepdive.db.migrate import open_database
from deepdive.sandbox.local import local_runner
from deepdive.settings import Settings
from deepdive.web.app import create_app

d = tempfile.mkdtemp()
port = free_port()
s = Settings(data_dir=Path(d), content_dir=CONTENT_DIR, port=port).prepare()
open_database(s.database_url)
with (
    local_runner(s) as runner,
    LiveServer(
        create_app(s.model_copy(update={"runner_url": runner.url}), load_course(CONTENT_DIR)), port
    ) as srv,
    sync_playwright() as p,
):
    b = p.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox", "--disable-gpu"]
    )
    pg = b.new_page(viewport={"width": 1280, "height": 900}, color_scheme="light")
    pg.goto(srv.url + "/")
    pg.wait_for_selector("[data-ready=true]")
    # Lesson 1's interactive after a real run of GET /health, with the table of contents beside it.
    panel = pg.locator("#interactive-first-endpoint")
    panel.get_by_role("button", name="GET /health").click()
    panel.locator('[data-panel="response"] [data-status="200"]').wait_for()
    panel.scroll_into_view_if_needed()
    pg.evaluate("window.scrollBy(0, -80)")
    pg.screenshot(path=sys.argv[1])
    b.close()
