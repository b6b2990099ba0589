"""A small hosted world for the instructor tests: two cohorts, their learners and instructors,
an admin, and a client for each account."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import FastAPI
from tests.conftest import CourseClient

from deepdive.course.models import Course
from deepdive.db.models import Cohort, CohortMember, Learner

HOSTED_URL = "https://127.0.0.1:8000"
# Names that appear nowhere else on a page, so a test can tell they were not shown.
DISPLAY_NAMES = {
    "ana": "Ana Ruizwell",
    "ben": "Ben Okaforth",
    "cyd": "Cyrus",
    "bob": "Bo Lindqvast",
}


class HostedClient(CourseClient):
    def csrf_headers(self) -> dict[str, str]:
        if "deepdive_csrf" not in self.cookies:
            self.get("/health")
        return {"X-CSRF-Token": self.cookies["deepdive_csrf"], "Origin": HOSTED_URL}


@dataclass
class World:
    app: FastAPI
    ids: dict[str, int]
    cohort_a: int
    cohort_b: int
    clients: dict[str, HostedClient] = field(default_factory=dict)

    def client(self, username: str | None) -> HostedClient:
        """A client signed in as `username` through the login form (None: not logged in)."""
        key = username or ""
        if key not in self.clients:
            client = HostedClient(self.app, base_url=HOSTED_URL, follow_redirects=False)
            self.clients[key] = client.__enter__()
            if username is not None:
                from tests.hosted.conftest import _log_in

                _log_in(client, username)
        return self.clients[key]

    def rename(self, username: str, *, display_name: str) -> None:
        with self.app.state.session_factory() as session:
            session.get(Learner, self.ids[username]).display_name = display_name
            session.commit()

    def close(self) -> None:
        for client in self.clients.values():
            client.__exit__(None, None, None)


def make_world(app: FastAPI, course: Course) -> World:
    """Cohort A "Spring cohort": learners ana, ben, cyd (display name Cyrus), instructor ines.
    Cohort B "Autumn cohort": learner bob, instructor ivan. adm is an admin; lea is a learner
    of no cohort."""
    people = {
        "ana": "learner",
        "ben": "learner",
        "cyd": "learner",
        "bob": "learner",
        "lea": "learner",
        "ines": "instructor",
        "ivan": "instructor",
        "adm": "admin",
    }
    from tests.hosted.conftest import PASSWORD

    from deepdive.accounts import service

    with app.state.session_factory() as session:
        accounts = {
            name: service.create_user(
                session, name, PASSWORD, display_name=DISPLAY_NAMES.get(name), role=role
            )
            for name, role in people.items()
        }
        a = Cohort(name="Spring cohort", join_code="SPRING-1")
        b = Cohort(name="Autumn cohort", join_code="AUTUMN-1")
        session.add_all([a, b])
        session.flush()
        members = [
            (a, "ana", "learner"),
            (a, "ben", "learner"),
            (a, "cyd", "learner"),
            (a, "ines", "instructor"),
            (b, "bob", "learner"),
            (b, "ivan", "instructor"),
        ]
        session.add_all(
            CohortMember(cohort_id=c.id, learner_id=accounts[n].id, role=r) for c, n, r in members
        )
        session.commit()
        ids = {name: account.id for name, account in accounts.items()}
        return World(app, ids, a.id, b.id)


def http_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every HTTP route the app serves, those of included routers
    too, so that a route added later is walked by the tests that use this."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        entries = (
            [(ctx.methods, ctx.path) for ctx in contexts()]
            if contexts is not None
            else [(getattr(route, "methods", None), getattr(route, "path", ""))]
        )
        for methods, path in entries:
            for method in methods or ():
                if method != "HEAD":
                    found.add((method, path))
    return sorted(found)
