"""The download: the generated files, the learner's app as `app/main.py`, their latest code
from the earlier lessons under `lessons/`, in one zip."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from deepdive.deployment.generator import DeployChoice, render

FOLDER = "fastapi-app"


def earlier_name(widget_id: str) -> str:
    """`lessons/basics/first-endpoint.py` for the draft of widget "basics/first-endpoint"."""
    slug, _, rest = widget_id.partition("/")
    interactive, _, part = rest.partition(":")
    return f"lessons/{slug}/{interactive}{'-' + part if part else ''}.py"


def make_zip(choice: DeployChoice, app_code: str, earlier: Mapping[str, str]) -> bytes:
    files = {
        **render(choice),
        "app/__init__.py": "",
        "app/main.py": app_code if app_code.endswith("\n") else app_code + "\n",
    }
    for widget_id, code in sorted(earlier.items()):
        files[earlier_name(widget_id)] = code
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"{FOLDER}/{name}", text)
    return buffer.getvalue()
