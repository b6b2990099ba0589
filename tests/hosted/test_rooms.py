"""Lesson 12's rooms across web workers: two tabs of one learner, served by two app instances
that share only PostgreSQL and Redis, meet in the same sandboxed app and hear each other."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path

import httpx
import redis
import websockets
from tests.conftest import LiveServer, free_port
from tests.web.test_sessions import ROOM, WIDGET  # the chat app both tabs talk to

from deepdive.course.models import Course
from deepdive.db.migrate import open_database
from deepdive.settings import Settings
from deepdive.web.app import create_app


async def _until(socket, wanted: str) -> dict:
    for _ in range(50):
        message = json.loads(await asyncio.wait_for(socket.recv(), 30))
        if message["event"] == wanted or (
            message["event"] == "session" and message["data"]["kind"] == wanted
        ):
            return message
        assert message["event"] not in ("error", "result"), message
    raise AssertionError(f"no {wanted} event")


async def _message_on(socket, connection: str) -> str:
    for _ in range(50):
        message = json.loads(await asyncio.wait_for(socket.recv(), 30))
        data = message.get("data", {})
        if data.get("kind") == "message" and data.get("connection") == connection:
            return data["text"]
        assert message["event"] not in ("error", "result"), message
    raise AssertionError(f"no message on {connection}")


def _tab(server: LiveServer, cookies: dict[str, str]):
    """A tab's WebSocket to `server`, carrying the learner's cookies (Secure: sent by hand)."""
    url = server.url.replace("http", "ws", 1) + "/api/sessions"
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    return websockets.connect(url, origin=server.url, additional_headers={"Cookie": header})


def _logged_in_cookies(server: LiveServer, postgres_url: str) -> dict[str, str]:
    """An account made in the shared database, logged in through `server`'s login form."""
    from deepdive.accounts import service
    from deepdive.db.engine import make_engine, make_session_factory

    engine = make_engine(postgres_url)
    with make_session_factory(engine)() as session:
        service.create_user(session, "ada", "correct horse battery")
    engine.dispose()
    csrf = httpx.get(f"{server.url}/health").cookies["deepdive_csrf"]
    response = httpx.post(
        f"{server.url}/login",
        data={"username": "ada", "password": "correct horse battery", "next": "/"},
        headers={
            "Cookie": f"deepdive_csrf={csrf}",
            "X-CSRF-Token": csrf,
            "Origin": server.url,
            "HX-Request": "true",
        },
    )
    assert response.status_code == 200, response.text[:500]
    return {
        "deepdive_csrf": response.cookies.get("deepdive_csrf") or csrf,
        "deepdive_session": response.cookies["deepdive_session"],
    }


def _start(room: str, token: str) -> str:
    return json.dumps({"op": "start", "widget": WIDGET, "code": ROOM, "csrf": token, "room": room})


def _connect(connection: str, name: str) -> str:
    return json.dumps(
        {"op": "connect", "connection": connection, "path": "/rooms/lobby", "query": {"name": name}}
    )


def _two_workers(
    tmp_path: Path, course: Course, postgres_url: str, redis_url: str, runner_url: str
) -> tuple[LiveServer, LiveServer]:
    """Two app instances (as two Gunicorn workers are) sharing PostgreSQL, Redis and the key."""
    open_database(postgres_url).dispose()
    secret = secrets.token_urlsafe(32)

    def worker(name: str) -> LiveServer:
        port = free_port()
        settings = Settings(
            mode="hosted",
            data_dir=tmp_path / name,
            database_url=postgres_url,
            redis_url=redis_url,
            secret_key=secret,
            host="127.0.0.1",
            port=port,
            runner_url=runner_url,
        ).prepare()
        return LiveServer(create_app(settings, course), port)

    return worker("a"), worker("b")


def test_tabs_on_two_workers_share_one_room(
    tmp_path: Path, course: Course, postgres_url: str, redis_url: str, runner_url: str
):
    first, second = _two_workers(tmp_path, course, postgres_url, redis_url, runner_url)
    with first, second:
        cookies = _logged_in_cookies(first, postgres_url)  # one learner, two tabs
        cookie = cookies["deepdive_csrf"]

        async def conversation() -> None:
            async with _tab(first, cookies) as ada, _tab(second, cookies) as bob:
                await ada.send(_start("lobby", cookie))
                await _until(ada, "ready")
                await bob.send(_start("lobby", cookie))
                joined = await _until(bob, "joined")
                assert joined["members"] == 2

                await ada.send(_connect("t1", "ada"))
                await _until(ada, "accepted")
                await bob.send(_connect("t2", "bob"))
                await _until(bob, "accepted")  # heard through Redis from the other worker
                await bob.send(json.dumps({"op": "send", "connection": "t2", "text": "hi ada"}))
                assert await _message_on(ada, "t1") == "bob: hi ada"
                assert await _message_on(bob, "t2") == "bob: hi ada"
                await ada.send(json.dumps({"op": "send", "connection": "t1", "text": "hi bob"}))
                assert await _message_on(bob, "t2") == "ada: hi bob"
                assert await _message_on(ada, "t1") == "ada: hi bob"
                await bob.close()
                # The tab on the other worker has gone: its connection was closed in the app.
                assert await _message_on(ada, "t1") == "bob left"
                await ada.send(json.dumps({"op": "end"}))
                while json.loads(await asyncio.wait_for(ada.recv(), 30))["event"] != "result":
                    pass

        asyncio.run(conversation())
    # The room is no longer announced to the workers once its session is over.
    with redis.Redis.from_url(redis_url) as shared:
        assert shared.keys("deepdive:room:*") == []


def test_a_room_holds_four_tabs_whichever_workers_serve_them(
    tmp_path: Path, course: Course, postgres_url: str, redis_url: str, runner_url: str
):
    first, second = _two_workers(tmp_path, course, postgres_url, redis_url, runner_url)
    with first, second:
        cookies = _logged_in_cookies(first, postgres_url)
        token = cookies["deepdive_csrf"]

        async def five_tabs() -> None:
            async with (
                _tab(first, cookies) as opener,
                _tab(second, cookies) as two,
                _tab(second, cookies) as three,
                _tab(first, cookies) as four,
                _tab(second, cookies) as fifth_there,
                _tab(first, cookies) as fifth_here,
            ):
                await opener.send(_start("lobby", token))
                await _until(opener, "ready")
                await two.send(_start("lobby", token))
                assert (await _until(two, "joined"))["members"] == 2
                await three.send(_start("lobby", token))
                assert (await _until(three, "joined"))["members"] == 3
                await four.send(_start("lobby", token))  # the opener's worker: 2 of its own
                await _until(four, "joined")
                for fifth in (fifth_there, fifth_here):  # two tabs on each worker: full
                    await fifth.send(_start("lobby", token))
                    refused = json.loads(await asyncio.wait_for(fifth.recv(), 30))
                    assert refused["event"] == "error", refused
                    assert "already has 4 tabs" in refused["message"]
                # The four tabs still share the app: a message from a remote tab reaches all.
                await three.send(_connect("t3", "cy"))
                await _until(three, "accepted")
                await three.send(json.dumps({"op": "send", "connection": "t3", "text": "hi"}))
                assert await _message_on(three, "t3") == "cy: hi"
                await two.close()  # a remote tab leaves: a place is free again
                await asyncio.sleep(0.5)
                async with _tab(second, cookies) as again:
                    await again.send(_start("lobby", token))
                    assert (await _until(again, "joined"))["members"] == 4
                await opener.send(json.dumps({"op": "end"}))
                while json.loads(await asyncio.wait_for(opener.recv(), 30))["event"] != "result":
                    pass

        asyncio.run(five_tabs())
