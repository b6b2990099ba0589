import hashlib
import secrets

# Just under the lesson's 4 MiB limit, so every correct app accepts it; random bytes drawn afresh
# for every check, so no app can answer their digest without reading them.
CONTENT = b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(256 * 15 * 1024)


def test_the_whole_file_is_read_and_digested(client):
    response = client.post(
        "/covers",
        files={"file": ("big-cover.png", CONTENT, "image/png")},
        data={"description": "A large cover"},
    )
    assert response.status_code == 200, f"a 3.75 MiB PNG answered {response.status_code}, not 200"
    body = response.json()
    assert body.get("size") == len(CONTENT), (
        f"size is {body.get('size')}, not {len(CONTENT)}: count the bytes of every chunk"
    )
    assert body.get("sha256") == hashlib.sha256(CONTENT).hexdigest(), (
        "sha256 does not match the file: update one hashlib.sha256() with every chunk"
    )
