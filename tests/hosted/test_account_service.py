"""The account service on a real PostgreSQL database: users, cohorts, join codes, logins, reset
links and session epochs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from tests.hosted.conftest import PASSWORD

from deepdive.accounts import service
from deepdive.accounts.service import AccountError
from deepdive.db.models import CohortMember, PasswordReset


def test_usernames_are_case_insensitive_and_validated(hosted_db):
    with hosted_db() as session:
        user = service.create_user(session, "  Ada.Lovelace ", PASSWORD)
        assert user.username == "ada.lovelace"
        assert user.display_name == "ada.lovelace"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        with pytest.raises(AccountError, match="is taken"):
            service.create_user(session, "ADA.LOVELACE", PASSWORD)
        for bad in ("ab", "-ada", "ada lovelace", "ада", "a" * 33):
            with pytest.raises(AccountError, match="3 to 32 characters") as refused:
                service.create_user(session, bad, PASSWORD)
            assert refused.value.field == "username"
        with pytest.raises(AccountError, match="at least 10 characters"):
            service.create_user(session, "grace", "short")
        assert service.authenticate(session, "ADA.lovelace", PASSWORD).id == user.id
        assert service.authenticate(session, "ada.lovelace", PASSWORD + "x") is None
        assert service.authenticate(session, "nobody", PASSWORD) is None


def test_join_code_signs_a_learner_into_its_cohort(hosted_db):
    with hosted_db() as session:
        cohort = service.create_cohort(session, "  Autumn   2026 ")
        assert cohort.name == "Autumn 2026"
        code = cohort.join_code
        assert len(code) == 14
        assert code.count("-") == 2
        # Typed in lower case, without dashes, with O for 0 and I/L for 1: still the code.
        typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
        user = service.join_with_code(
            session, typed, "grace", PASSWORD, display_name="Grace H.", password_again=PASSWORD
        )
        member = session.get(CohortMember, (cohort.id, user.id))
        assert member is not None
        assert member.role == "learner"
        assert user.display_name == "Grace H."
        assert service.cohorts_of(session, user)[0][0].id == cohort.id


def test_unknown_join_code_or_mismatched_passwords_create_nothing(hosted_db):
    with hosted_db() as session:
        service.create_cohort(session, "Autumn")
        with pytest.raises(AccountError, match="No cohort has this join code") as refused:
            service.join_with_code(session, "ZZZZ-ZZZZ-ZZZZ", "grace", PASSWORD)
        assert refused.value.field == "code"
        with pytest.raises(AccountError, match="not the same"):
            service.join_with_code(
                session, "ZZZZ-ZZZZ-ZZZZ", "grace", PASSWORD, password_again="other password"
            )
        assert service.find_user(session, "grace") is None


def test_instructors_must_be_staff_accounts_and_may_reset_only_their_learners(hosted_db):
    with hosted_db() as session:
        autumn, spring = (service.create_cohort(session, n) for n in ("Autumn", "Spring"))
        teacher = service.create_user(session, "teacher", PASSWORD, role="instructor")
        admin = service.create_user(session, "root", PASSWORD, role="admin")
        mine = service.join_with_code(session, autumn.join_code, "mine", PASSWORD)
        theirs = service.join_with_code(session, spring.join_code, "theirs", PASSWORD)
        with pytest.raises(AccountError, match="learner account"):
            service.add_member(session, autumn, mine, "instructor")
        service.add_member(session, autumn, teacher, "instructor")
        assert service.may_reset(session, teacher, autumn.id, mine.id)
        assert not service.may_reset(session, teacher, spring.id, theirs.id)
        assert not service.may_reset(session, teacher, autumn.id, theirs.id)
        assert not service.may_reset(session, teacher, autumn.id, teacher.id)
        assert not service.may_reset(session, mine, autumn.id, mine.id)
        assert service.may_reset(session, admin, spring.id, theirs.id)
        summaries = {s.name: s for s in service.cohort_summaries(session)}
        assert summaries["Autumn"].instructors == ("teacher",)
        assert summaries["Autumn"].learners == 1


def test_a_reset_link_works_once_stores_only_its_hash_and_ends_sessions(hosted_db):
    with hosted_db() as session:
        user = service.create_user(session, "ada", PASSWORD)
        epoch = user.session_epoch
        issued = service.issue_password_reset(session, user)
        other = service.issue_password_reset(session, user)
        stored = session.scalars(select(PasswordReset.token_hash)).all()
        assert issued.token not in stored
        assert len(stored[0]) == 64
        service.use_password_reset(session, issued.token, "a brand new password")
        assert service.authenticate(session, "ada", "a brand new password") is not None
        assert service.authenticate(session, "ada", PASSWORD) is None
        session.refresh(user)
        assert user.session_epoch == epoch + 1
        with pytest.raises(AccountError, match="already used"):
            service.use_password_reset(session, issued.token, "yet another password")
        # A reset ends the account's other outstanding links too.
        with pytest.raises(AccountError, match="already used"):
            service.find_password_reset(session, other.token)
        with pytest.raises(AccountError, match="not valid"):
            service.find_password_reset(session, "made-up-token")


def test_an_expired_reset_link_is_refused(hosted_db):
    with hosted_db() as session:
        user = service.create_user(session, "ada", PASSWORD)
        issued = service.issue_password_reset(session, user, valid_for=timedelta(hours=1))
        session.execute(text("UPDATE password_resets SET expires_at = now() - interval '1 second'"))
        session.commit()
        with pytest.raises(AccountError, match="expired"):
            service.use_password_reset(session, issued.token, "a brand new password")
        assert service.authenticate(session, "ada", PASSWORD) is not None
