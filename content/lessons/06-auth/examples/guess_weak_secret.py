import jwt

COMMON_SECRETS = ["secret", "password", "changeme", "jwt-secret", "supersecret", "123456"]


def guess_secret(token: str, candidates: list[str]) -> str | None:
    """Try each candidate as the HS256 key: one that verifies the signature is the secret."""
    for candidate in candidates:
        try:
            jwt.decode(token, candidate, algorithms=["HS256"], options={"verify_exp": False})
        except jwt.InvalidSignatureError:
            continue
        return candidate
    return None
