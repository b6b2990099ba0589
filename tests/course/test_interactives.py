"""Each interactive kind's options are typed, and every cross-reference they make is checked when
the course loads: a content mistake is a file:line error, never a broken page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.conftest import CONTENT_DIR

from deepdive.course.interactives import KINDS, kind_name
from deepdive.course.loader import ContentError, load_course


def _copy(tmp_path: Path, *folders: str) -> Path:
    """A content folder holding copies of the named lessons; returns its `lessons` folder."""
    lessons = tmp_path / "content" / "lessons"
    for folder in folders:
        shutil.copytree(
            CONTENT_DIR / "lessons" / folder,
            lessons / folder,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
    return lessons


def _break(lesson_md: Path, old: str, new: str) -> int:
    """Replace the first `old` by `new`; return the line where the change starts."""
    text = lesson_md.read_text()
    assert old in text, old
    line = text[: text.index(old)].count("\n") + 1
    lesson_md.write_text(text.replace(old, new, 1))
    return line


def _problems(lessons: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_course(lessons.parent)
    return [str(problem) for problem in caught.value.problems]


def test_a_typo_in_the_override_start_is_a_content_error_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "05-dependencies") / "05-dependencies" / "lesson.md"
    line = _break(lesson_md, 'start: "def get_test_session"', 'start: "def get_tset_session"')
    assert _problems(lesson_md.parents[1]) == [
        f"{lesson_md}:{line}: interactives.0.options.override.start: 'def get_tset_session' "
        "does not occur in examples/override_dependency.py"
    ]


def test_a_variant_naming_a_preset_that_does_not_exist_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "04-response-models") / "04-response-models" / "lesson.md"
    line = _break(
        lesson_md,
        'requests: ["GET /annotated/1", "GET /declared/1"',
        'requests: ["GET /annotated/1", "GET /declared/2"',
    )
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert problems[0].startswith(f"{lesson_md}:{line}: interactives.0.options.groups.1.")
    assert problems[0].endswith("no request preset is labelled 'GET /declared/2'")


def test_two_presets_with_one_label_are_refused(tmp_path):
    lesson_md = _copy(tmp_path, "04-response-models") / "04-response-models" / "lesson.md"
    line = _break(lesson_md, 'label: "GET /users/2 · Bob"', 'label: "GET /users/1 · Alice"')
    problems = _problems(lesson_md.parents[1])
    assert any(
        p.startswith(f"{lesson_md}:")
        and "request labels must be unique; repeated: GET /users/1 · Alice" in p
        for p in problems
    ), problems
    assert line > 0


def test_a_variant_file_that_is_not_one_of_the_interactives_files_is_reported(tmp_path):
    lesson_md = _copy(tmp_path, "04-response-models") / "04-response-models" / "lesson.md"
    _break(lesson_md, "      - examples/user_card.py\n", "")
    line = _break(lesson_md, "file: examples/user_card.py", "file: examples/user_card.py")
    assert (
        f"{lesson_md}:{line}: interactives.0.options.groups.0.variants.4.file: "
        "'examples/user_card.py' is not one of this interactive's files: name it in `files`"
    ) in _problems(lesson_md.parents[1])


def test_an_unknown_kind_names_the_kinds_there_are(tmp_path):
    lesson_md = _copy(tmp_path, "01-basics") / "01-basics" / "lesson.md"
    line = _break(lesson_md, "kind: run-panel", "kind: run-pannel")
    (problem,) = _problems(lesson_md.parents[1])
    assert problem.startswith(f"{lesson_md}:{line}: interactives.0.kind: ")
    for kind in KINDS:
        assert repr(kind_name(kind)) in problem


def test_an_option_a_kind_does_not_have_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "05-dependencies") / "05-dependencies" / "lesson.md"
    line = _break(lesson_md, "      override:\n", "      overide:\n")
    problems = _problems(lesson_md.parents[1])
    expected = "interactives.0.options.overide: Extra inputs are not permitted"
    assert f"{lesson_md}:{line}: {expected}" in problems


def test_an_invalid_request_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "01-basics") / "01-basics" / "lesson.md"
    line = _break(lesson_md, "method: GET, path: /health}", "method: GET, path: health}")
    problems = _problems(lesson_md.parents[1])
    assert any(
        p.startswith(f"{lesson_md}:{line}: interactives.0.requests.1.path: String should match")
        for p in problems
    ), problems


def test_interactive_ids_are_unique_across_the_course(tmp_path):
    lessons = _copy(tmp_path, "01-basics", "02-path-and-query")
    lesson_md = lessons / "02-path-and-query" / "lesson.md"
    line = _break(lesson_md, "  - id: endpoint-builder", "  - id: first-endpoint")
    _break(lesson_md, "{! interactive endpoint-builder !}", "{! interactive first-endpoint !}")
    assert _problems(lessons) == [
        f"{lesson_md}:{line}: interactives.0.id: 'first-endpoint' is already the id of an "
        "interactive in 01-basics; ids are unique in the whole course"
    ]


def test_every_kind_names_its_instruments_and_its_page_assets(course):
    from deepdive.sandbox import instruments
    from deepdive.web.assets import STATIC_DIR
    from deepdive.web.templating import TEMPLATES_DIR

    known = set(instruments.load_all())
    for lesson in course.lessons:
        for interactive in lesson.meta.interactives:
            assert set(interactive.instruments) <= known, interactive.kind
            assert (TEMPLATES_DIR / interactive.template).is_file()
            assert (STATIC_DIR / interactive.script).is_file()
            assert (STATIC_DIR / interactive.stylesheet).is_file()


def test_a_crud_form_whose_path_names_a_missing_field_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "08-databases") / "08-databases" / "lesson.md"
    form_line = _break(lesson_md, "- label: Read", "- label: Read")
    _break(lesson_md, 'path: "/books/{book_id}"', 'path: "/books/{id}"')
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert problems[0].startswith(f"{lesson_md}:{form_line}: interactives.0.options.forms.2:")
    assert "the path names {id}, which is not one of the fields" in problems[0]


def test_a_crud_number_field_with_a_word_for_default_is_reported(tmp_path):
    lesson_md = _copy(tmp_path, "08-databases") / "08-databases" / "lesson.md"
    _break(
        lesson_md,
        '{name: book_id, type: int, default: "3"}',
        '{name: book_id, type: int, default: "three"}',
    )
    (problem,) = _problems(lesson_md.parents[1])
    assert "'three' is not a whole number" in problem


def test_a_task_that_judges_tests_without_their_solution_is_reported(tmp_path):
    lesson_md = _copy(tmp_path, "11-testing") / "11-testing" / "lesson.md"
    _break(
        lesson_md,
        "passes_also: [tasks/filter_fixed_disguised.py]\n"
        "        solution_tests: examples/bookshelf_fixed_tests.py\n",
        "passes_also: [tasks/filter_fixed_disguised.py]\n",
    )
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert "interactives.0.tasks.0.solution_tests" in problems[0]
    assert "needs `solution_tests`" in problems[0]


def test_a_test_runner_tests_file_that_is_missing_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "11-testing") / "11-testing" / "lesson.md"
    _break(lesson_md, "tests: examples/bookshelf_tests.py", "tests: examples/no_such_tests.py")
    problems = _problems(lesson_md.parents[1])
    assert any("no_such_tests.py" in problem for problem in problems), problems


def test_an_upload_sample_over_the_cap_is_refused_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "09-uploads") / "09-uploads" / "lesson.md"
    line = _break(lesson_md, "size_kib: 4608", "size_kib: 6000")
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert f"{lesson_md}:{line}" in problems[0]
    assert "size_kib" in problems[0]


def test_a_flow_step_naming_a_preset_that_does_not_exist_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "06-auth") / "06-auth" / "lesson.md"
    line = _break(lesson_md, "request: GET /me with the token", "request: GET /me with a token")
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert problems[0].startswith(f"{lesson_md}:{line}: interactives.0.options.steps.2.request")
    assert problems[0].endswith("no request preset is labelled 'GET /me with a token'")


def test_flow_steps_that_use_a_token_before_it_is_captured_are_refused(tmp_path):
    lesson_md = _copy(tmp_path, "06-auth") / "06-auth" / "lesson.md"
    _break(lesson_md, "request: Log in\n", "request: GET /me without a header\n")
    problems = _problems(lesson_md.parents[1])
    assert any(
        "the steps, sent in order: request 3 uses {{token}}, which no earlier request captures"
        in problem
        for problem in problems
    ), problems


def test_a_batch_whose_path_has_no_place_for_its_delays_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "07-async") / "07-async" / "lesson.md"
    line = _break(lesson_md, 'path: "/async-await/{ms}"', 'path: "/async-await/200"')
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert problems[0].startswith(f"{lesson_md}:")
    assert "interactives.0.options.batches.0" in problems[0]
    assert "`path` holds `{ms}` exactly when the batch has `delays_ms`" in problems[0]
    assert int(problems[0].split(":")[1]) <= line


def test_a_batch_of_more_than_sixty_requests_is_refused(tmp_path):
    lesson_md = _copy(tmp_path, "07-async") / "07-async" / "lesson.md"
    _break(lesson_md, "repeat: 50", "repeat: 13")
    _break(lesson_md, "delays_ms: [250]", "delays_ms: [250, 260, 270, 280, 290]")
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert "a batch sends at most 60 requests" in problems[0]


def test_two_batches_with_one_id_are_reported(tmp_path):
    lesson_md = _copy(tmp_path, "07-async") / "07-async" / "lesson.md"
    line = _break(lesson_md, "- id: def-sleep", "- id: async-await")
    assert _problems(lesson_md.parents[1]) == [
        f"{lesson_md}:{line}: interactives.0.options.batches.1.id: batch id 'async-await' is "
        "used twice"
    ]


def test_a_chat_route_the_starter_does_not_declare_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "12-websockets") / "12-websockets" / "lesson.md"
    line = _break(lesson_md, 'room_path: "/rooms/{room}"', 'room_path: "/room/{room}"')
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert problems[0].startswith(f"{lesson_md}:{line}: interactives.0.options.room_path: ")
    assert "declares no route '/room/{room}'" in problems[0]


def test_a_config_generator_form_out_of_range_is_reported_on_its_line(tmp_path):
    lesson_md = _copy(tmp_path, "13-deployment") / "13-deployment" / "lesson.md"
    _break(lesson_md, "        workers: 5", "        workers: 0")
    problems = _problems(lesson_md.parents[1])
    assert len(problems) == 1
    assert "0 workers cannot answer a single request" in problems[0]


def test_a_stack_to_load_that_is_not_one_of_the_interactives_files_is_reported(tmp_path):
    lesson_md = _copy(tmp_path, "10-middleware") / "10-middleware" / "lesson.md"
    _break(lesson_md, "      - examples/forgot_await.py\n", "")
    line = _break(lesson_md, "file: examples/forgot_await.py", "file: examples/forgot_await.py")
    assert (
        f"{lesson_md}:{line}: interactives.0.options.load.1.file: "
        "'examples/forgot_await.py' is not one of this interactive's files: name it in `files`"
    ) in _problems(lesson_md.parents[1])


def test_the_lifecycle_trace_walk_runs_each_stack_to_load_with_every_preset(course):
    lesson = course.lesson("middleware")
    (interactive,) = lesson.meta.interactives
    runs = interactive.walk(lesson.sources)
    loaded = [run for run in runs if run.file == "examples/forgot_await.py"]
    assert len(loaded) == len(interactive.requests)
    assert all(run.code == lesson.sources["examples/forgot_await.py"] for run in loaded)
    assert [run.requests for run in loaded] == [[p.to_request()] for p in interactive.requests]
