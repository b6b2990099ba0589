import secrets

import jwt


def test_a_dictionary_word_is_found(example):
    module = example("guess_weak_secret")
    token = jwt.encode({"sub": "alice"}, "changeme", algorithm="HS256")
    assert module.guess_secret(token, module.COMMON_SECRETS) == "changeme"


def test_a_random_secret_is_not(example):
    module = example("guess_weak_secret")
    token = jwt.encode({"sub": "alice"}, secrets.token_urlsafe(32), algorithm="HS256")
    assert module.guess_secret(token, module.COMMON_SECRETS) is None


def test_the_guessed_secret_forges_tokens_the_server_accepts(example):
    module = example("guess_weak_secret")
    leaked = jwt.encode({"sub": "bob"}, "secret", algorithm="HS256")
    key = module.guess_secret(leaked, module.COMMON_SECRETS)
    forged = jwt.encode({"sub": "admin"}, key, algorithm="HS256")
    assert jwt.decode(forged, "secret", algorithms=["HS256"])["sub"] == "admin"
