"""What accounts can do, whatever asks (a page, an admin command): create, join, log in, reset.

Every function takes an open SQLAlchemy session and commits its own change. Bad input raises
`AccountError`, whose message is meant for the person who typed it.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from deepdive.accounts.passwords import passwords
from deepdive.db.models import Cohort, CohortMember, Learner, PasswordReset, utcnow

USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{2,31}")
MIN_PASSWORD = 10
MAX_PASSWORD = 200
MAX_DISPLAY_NAME = 100
MAX_COHORT_NAME = 100
RESET_VALID_FOR = timedelta(hours=24)
# Join codes: 12 characters of Crockford's base32 (no I, L, O, U), about 60 bits, in 3 groups.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_GROUPS = 3
_CODE_GROUP = 4


class Role(enum.StrEnum):
    LEARNER = "learner"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


class AccountError(ValueError):
    """Input that cannot become an account, a cohort or a login; nothing was changed."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def normalise_username(raw: str) -> str:
    """The username as stored: lower case, no surrounding spaces. Raises AccountError."""
    name = unicodedata.normalize("NFKC", raw).strip().lower()
    if not name:
        raise AccountError("Choose a username.", "username")
    if not USERNAME_PATTERN.fullmatch(name):
        raise AccountError(
            "A username has 3 to 32 characters: letters a-z, digits, dots, dashes and "
            "underscores, starting with a letter or a digit.",
            "username",
        )
    return name


def check_password(password: str, again: str | None = None) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(
            f"Choose a password of at least {MIN_PASSWORD} characters "
            "(a few words make a good one).",
            "password",
        )
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password has at most {MAX_PASSWORD} characters.", "password")
    if again is not None and again != password:
        raise AccountError("The two passwords are not the same; type them again.", "password2")
    return password


def _display_name(raw: str | None, username: str) -> str:
    name = " ".join((raw or "").split())
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise AccountError("A display name cannot contain control characters.", "display_name")
    if len(name) > MAX_DISPLAY_NAME:
        raise AccountError(
            f"A display name has at most {MAX_DISPLAY_NAME} characters.", "display_name"
        )
    return name or username


def find_user(session: Session, username: str) -> Learner | None:
    """The account called `username` (in any case), or None."""
    try:
        name = normalise_username(username)
    except AccountError:
        return None
    return session.scalar(select(Learner).where(Learner.username == name))


def _commit_new_user(session: Session, username: str) -> None:
    try:
        session.commit()
    except IntegrityError as error:  # someone took the name between our check and our commit
        session.rollback()
        raise AccountError(f"The username {username!r} is taken; choose another.") from error


def create_user(
    session: Session,
    username: str,
    password: str,
    *,
    display_name: str | None = None,
    role: Role | str = Role.LEARNER,
    commit: bool = True,
) -> Learner:
    """A new account. Raises AccountError for a taken or invalid name or a weak password."""
    name = normalise_username(username)
    role = _role(role)
    check_password(password)
    shown = _display_name(display_name, name)
    if find_user(session, name) is not None:
        raise AccountError(f"The username {name!r} is taken; choose another.", "username")
    user = Learner(
        username=name,
        display_name=shown,
        role=role.value,
        password_hash=passwords().hash(password),
        session_epoch=0,
    )
    session.add(user)
    if commit:
        _commit_new_user(session, name)
    else:
        session.flush()
    return user


def _role(value: Role | str) -> Role:
    try:
        return Role(value)
    except ValueError:
        choices = ", ".join(role.value for role in Role)
        raise AccountError(f"{value!r} is not a role; choose one of {choices}.", "role") from None


def new_join_code() -> str:
    groups = (
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUP))
        for _ in range(_CODE_GROUPS)
    )
    return "-".join(groups)


def normalise_join_code(raw: str) -> str:
    """A join code as stored, from what someone typed: any case, spaces or dashes anywhere,
    and the letters people mistake for digits (O for 0, I and L for 1)."""
    letters = re.sub(r"[\s-]+", "", raw.upper()).translate(str.maketrans("OIL", "011"))
    size = _CODE_GROUP
    return "-".join(letters[start : start + size] for start in range(0, len(letters), size))


def create_cohort(session: Session, name: str) -> Cohort:
    """A new cohort with a fresh join code."""
    shown = " ".join(name.split())
    if not shown:
        raise AccountError("Give the cohort a name.", "name")
    if len(shown) > MAX_COHORT_NAME:
        raise AccountError(f"A cohort name has at most {MAX_COHORT_NAME} characters.", "name")
    if session.scalar(select(Cohort).where(Cohort.name == shown)) is not None:
        raise AccountError(f"There is already a cohort called {shown!r}.", "name")
    cohort = Cohort(name=shown, join_code=new_join_code())
    session.add(cohort)
    try:
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise AccountError(f"There is already a cohort called {shown!r}.", "name") from error
    return cohort


def find_cohort(session: Session, name: str) -> Cohort | None:
    return session.scalar(select(Cohort).where(Cohort.name == " ".join(name.split())))


def add_member(
    session: Session,
    cohort: Cohort,
    user: Learner,
    role: Role | str = Role.LEARNER,
    *,
    commit: bool = True,
) -> CohortMember:
    """Put `user` in `cohort` as a learner or one of its instructors (again: the role changes)."""
    role = _role(role)
    if role is Role.ADMIN:
        raise AccountError("A cohort has learners and instructors; admins see every cohort.")
    if role is Role.INSTRUCTOR and user.role == Role.LEARNER:
        raise AccountError(
            f"{user.username} is a learner account: only instructor or admin accounts can "
            "be a cohort's instructors.",
            "username",
        )
    member = session.get(CohortMember, (cohort.id, user.id))
    if member is None:
        member = CohortMember(cohort_id=cohort.id, learner_id=user.id, role=role.value)
        session.add(member)
    member.role = role.value
    if commit:
        session.commit()
    return member


def join_with_code(
    session: Session,
    code: str,
    username: str,
    password: str,
    *,
    display_name: str | None = None,
    password_again: str | None = None,
) -> Learner:
    """Sign up: a new learner account in the cohort whose join code this is."""
    normalise_username(username)
    check_password(password, password_again)
    joined = normalise_join_code(code)
    if not joined:
        raise AccountError("Type the join code your instructor gave you.", "code")
    cohort = session.scalar(select(Cohort).where(Cohort.join_code == joined))
    if cohort is None:
        raise AccountError(
            "No cohort has this join code. Check it with your instructor "
            "(it looks like ABCD-EFGH-JKMN).",
            "code",
        )
    user = create_user(
        session, username, password, display_name=display_name, role=Role.LEARNER, commit=False
    )
    add_member(session, cohort, user, Role.LEARNER, commit=False)
    _commit_new_user(session, user.username or username)
    return user


def authenticate(session: Session, username: str, password: str) -> Learner | None:
    """The account with this username and password, or None (taking as long either way)."""
    user = find_user(session, username) if len(password) <= MAX_PASSWORD else None
    if not passwords().verify(password[:MAX_PASSWORD], user.password_hash if user else None):
        return None
    return user


def end_sessions(session: Session, user: Learner, *, commit: bool = True) -> int:
    """Sign every session of `user` out, on every device; the new epoch."""
    session.execute(
        update(Learner).where(Learner.id == user.id).values(session_epoch=Learner.session_epoch + 1)
    )
    if commit:
        session.commit()
    session.refresh(user)
    return user.session_epoch


@dataclass(frozen=True)
class IssuedReset:
    """A reset link's token, shown once: only its SHA-256 is kept."""

    token: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return f"/reset/{self.token}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_password_reset(
    session: Session,
    user: Learner,
    *,
    issued_by: Learner | None = None,
    valid_for: timedelta = RESET_VALID_FOR,
) -> IssuedReset:
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + valid_for
    session.add(
        PasswordReset(
            learner_id=user.id,
            token_hash=_token_hash(token),
            issued_by=issued_by.id if issued_by else None,
            expires_at=expires_at,
        )
    )
    session.commit()
    return IssuedReset(token, expires_at)


def find_password_reset(session: Session, token: str) -> tuple[PasswordReset, Learner]:
    """The reset link `token` is for, if it can still be used; raises AccountError."""
    reset = session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _token_hash(token))
    )
    if reset is None:
        raise AccountError("This password-reset link is not valid. Ask for a new one.")
    if reset.used_at is not None:
        raise AccountError(
            "This password-reset link was already used: each link works once. Ask for a new one."
        )
    if reset.expires_at <= utcnow():
        raise AccountError("This password-reset link has expired. Ask for a new one.")
    user = session.get(Learner, reset.learner_id)
    if user is None:  # the account was deleted (links go with it, but be sure)
        raise AccountError("This password-reset link is not valid. Ask for a new one.")
    return reset, user


def use_password_reset(
    session: Session, token: str, password: str, password_again: str | None = None
) -> Learner:
    """Set a new password through a reset link: the link (and any other unused link of the
    account) stops working, and every session of the account is signed out."""
    reset, user = find_password_reset(session, token)
    check_password(password, password_again)
    now = utcnow()
    # Marked used only if nobody used it meanwhile: two submissions cannot both succeed.
    claimed = session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        session.rollback()
        raise AccountError(
            "This password-reset link was already used: each link works once. Ask for a new one."
        )
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.learner_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    end_sessions(session, user, commit=False)
    user.password_hash = passwords().hash(password)
    session.commit()
    return user


def member_role(session: Session, cohort_id: int, user_id: int) -> str | None:
    member = session.get(CohortMember, (cohort_id, user_id))
    return member.role if member else None


def may_manage(session: Session, staff: Learner, cohort_id: int) -> bool:
    """True when `staff` may see and act on the learners of cohort `cohort_id`: an admin, or
    one of the cohort's instructors."""
    if staff.role == Role.ADMIN:
        return True
    return (
        staff.role == Role.INSTRUCTOR
        and member_role(session, cohort_id, staff.id) == Role.INSTRUCTOR
    )


def may_reset(session: Session, staff: Learner, cohort_id: int, learner_id: int) -> bool:
    """True when `staff` may issue a reset link for learner `learner_id` of cohort `cohort_id`."""
    return (
        may_manage(session, staff, cohort_id)
        and member_role(session, cohort_id, learner_id) == Role.LEARNER
    )


def cohorts_of(session: Session, user: Learner) -> list[tuple[Cohort, str]]:
    """The cohorts `user` belongs to, with their role in each, by name."""
    rows = session.execute(
        select(Cohort, CohortMember.role)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.learner_id == user.id)
        .order_by(Cohort.name)
    ).all()
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class CohortSummary:
    id: int
    name: str
    join_code: str
    instructors: tuple[str, ...]
    learners: int


def cohort_summaries(session: Session) -> list[CohortSummary]:
    """Every cohort with its join code, its instructors' usernames and its number of learners."""
    members = session.execute(
        select(CohortMember.cohort_id, CohortMember.role, Learner.username)
        .join(Learner, Learner.id == CohortMember.learner_id)
        .order_by(Learner.username)
    ).all()
    summaries = []
    for cohort in session.scalars(select(Cohort).order_by(Cohort.name)):
        mine = [row for row in members if row.cohort_id == cohort.id]
        summaries.append(
            CohortSummary(
                id=cohort.id,
                name=cohort.name,
                join_code=cohort.join_code,
                instructors=tuple(row.username for row in mine if row.role == Role.INSTRUCTOR),
                learners=sum(row.role == Role.LEARNER for row in mine),
            )
        )
    return summaries


def staff_accounts(session: Session) -> list[Learner]:
    """Instructor and admin accounts, by username."""
    return list(
        session.scalars(
            select(Learner)
            .where(Learner.role.in_([Role.INSTRUCTOR.value, Role.ADMIN.value]))
            .order_by(Learner.username)
        )
    )
