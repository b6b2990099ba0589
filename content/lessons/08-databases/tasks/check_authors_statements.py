"""Task: GET /authors lists every author with their books in 2 statements, not 1 + N.

The statements are counted here, by the check, never reported by the app under judgement: the
learner's source is run in a child process of this sandbox that keeps nothing of the check but
one pipe (every other descriptor is closed first), with a listener on SQLAlchemy's engine
events installed before their code runs. The child writes its count to the pipe; the verdict is
decided here.
"""

import json
import os
import select
import signal


def _run_learner_app(source: str, write_end: int) -> None:
    os.closerange(3, write_end)
    os.closerange(write_end + 1, 1 << 16)
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []
    event.listen(Engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    namespace: dict = {"__name__": "learner_app"}
    exec(compile(source, "app.py", "exec"), namespace)

    from fastapi.testclient import TestClient

    with TestClient(namespace["app"]) as client:
        before = len(statements)
        response = client.get("/authors")
        sent = statements[before:]
    report = {"status": response.status_code, "body": response.json(), "statements": sent}
    os.write(write_end, json.dumps(report).encode())


def _count(source: str) -> dict:
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:
        code = 0
        try:
            _run_learner_app(source, write_end)
        except BaseException as problem:
            os.write(
                write_end, json.dumps({"error": f"{type(problem).__name__}: {problem}"}).encode()
            )
            code = 1
        os._exit(code)
    os.close(write_end)
    chunks = []
    while select.select([read_end], [], [], 20)[0]:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    else:
        os.kill(child, signal.SIGKILL)
    os.close(read_end)
    os.waitpid(child, 0)
    text = b"".join(chunks).decode(errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return {"error": "your app did not answer GET /authors within 20 seconds"}


def test_authors_are_listed_with_their_books(client):
    response = client.get("/authors")
    assert response.status_code == 200, f"GET /authors answered {response.status_code}"
    body = response.json()
    books = {author.get("name"): author.get("books") for author in body}
    assert books.get("Ted Chiang") == ["Exhalation"], (
        f"GET /authors returned {body}: each author must still list their books' titles"
    )


def test_two_statements_list_the_authors_and_their_books(source):
    report = _count(source["app.py"])
    assert "error" not in report, f"Your app failed when run for counting: {report.get('error')}"
    assert report["status"] == 200, f"GET /authors answered {report['status']}"
    sent = report["statements"]
    shown = "; ".join(" ".join(s.split())[:60] for s in sent[:6])
    assert len(sent) <= 2, (
        f"GET /authors sent {len(sent)} statements ({shown}…): one per author after the first. "
        "Load the books together with the authors: "
        "select(Author).options(selectinload(Author.books))"
    )
