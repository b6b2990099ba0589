"""Incidents load from content/incidents; each kind of mistake is reported with file and line,
and a fix is screened before it runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import CONTENT_DIR

from deepdive.course.incident_grading import forbidden_import, refuse
from deepdive.course.loader import ContentError, load_course

FIRST = "01-route-shadowing"


@pytest.fixture
def incident_copy(tmp_path: Path) -> Path:
    """A content folder with one lesson and one incident, ready to be broken."""
    lesson = next(p for p in sorted((CONTENT_DIR / "lessons").iterdir()) if p.name[0].isdigit())
    content = tmp_path / "content"
    shutil.copytree(lesson, content / "lessons" / lesson.name)
    target = content / "incidents" / FIRST
    shutil.copytree(CONTENT_DIR / "incidents" / FIRST, target)
    return target


def _problems(incident: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(incident.parents[1])
    return [str(p) for p in caught.value.problems]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def test_the_real_incidents_load_in_order(course):
    assert len(course.incidents) >= 12
    orders = [incident.meta.order for incident in course.incidents]
    assert orders == sorted(orders)
    assert all(len(incident.meta.wrong) >= 2 for incident in course.incidents)


def test_the_copy_loads(incident_copy):
    [incident] = load_course(incident_copy.parents[1]).incidents
    assert incident.slug == "route-shadowing"
    assert incident.total_points == 8


def test_a_test_of_the_check_missing_from_the_yaml_is_reported(incident_copy):
    check = incident_copy / "check.py"
    check.write_text(check.read_text() + "\n\ndef test_something_new(client):\n    pass\n")
    problems = _problems(incident_copy)
    assert any(
        p.startswith(f"{check}:") and "test_something_new is not in incident.yaml" in p
        for p in problems
    )


def test_a_declared_test_the_check_lacks_is_reported(incident_copy):
    meta = incident_copy / "incident.yaml"
    _replace(meta, "test_me_needs_the_header", "test_me_needs_a_header")
    problems = _problems(incident_copy)
    assert any(
        p.startswith(f"{meta}:") and "check.py has no test_me_needs_a_header" in p for p in problems
    )


def test_a_missing_wrong_fix_names_its_line(incident_copy):
    (incident_copy / "wrong" / "special_case_me.py").unlink()
    meta = incident_copy / "incident.yaml"
    line = next(
        i for i, text in enumerate(meta.read_text().splitlines(), 1) if "special_case_me" in text
    )
    assert f"{meta}:{line}: file 'wrong/special_case_me.py' does not exist" in _problems(
        incident_copy
    )


def test_one_wrong_fix_is_not_enough(incident_copy):
    meta = incident_copy / "incident.yaml"
    text = meta.read_text()
    start = text.index("  - file: wrong/special_case_me.py")
    meta.write_text(text[:start] + text[text.index("hints:") :])
    assert any("wrong: List should have at least 2 items" in p for p in _problems(incident_copy))


def test_the_folder_must_match_order_and_slug(incident_copy):
    renamed = incident_copy.with_name("07-route-shadowing")
    incident_copy.rename(renamed)
    assert any("should be named 01-route-shadowing" in p for p in _problems(renamed))


def test_a_workload_of_more_than_a_hundred_requests_is_refused(incident_copy):
    _replace(incident_copy / "incident.yaml", "repeat: 3}", "repeat: 50}")
    _replace(
        incident_copy / "incident.yaml", "X-User: bob}, repeat: 3}", "X-User: bob}, repeat: 50}"
    )
    assert any("the workload sends 102 requests" in p for p in _problems(incident_copy))


@pytest.mark.parametrize(
    ("code", "module"),
    [
        ("import subprocess\n", "subprocess"),
        ("from socket import socketpair\n", "socket"),
        ("import os, ctypes.util\n", "ctypes.util"),
        ("__import__('signal')\n", "signal"),
        ("import importlib\nimportlib.import_module('_pytest.main')\n", "_pytest.main"),
        ("import os\nimport asyncio\n", None),
        ("def broken(:\n", None),
    ],
)
def test_forbidden_imports_are_found_statically(code, module):
    assert forbidden_import(code) == module


def test_an_empty_fix_is_refused_without_a_run(course):
    verdict = refuse(course.incident("route-shadowing"), "  \n")
    assert verdict is not None
    assert (verdict.score, verdict.refused, verdict.solved) == (0, True, False)
    assert [line.name for line in verdict.tests][-1] == "Hidden test 3"
