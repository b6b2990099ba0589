import jwt


def test_anyone_reads_the_claims_without_the_key(example):
    token = jwt.encode(
        {"sub": "alice", "role": "admin"}, "a-key-nobody-else-has-00000000000", "HS256"
    )
    assert example("read_payload").read_claims(token) == {"sub": "alice", "role": "admin"}
