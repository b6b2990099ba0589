PNG = b"\x89PNG\r\n\x1a\n"


def _send(client, content: bytes, content_type: str = "image/png", filename: str = "cover.png"):
    files = {"file": (filename, content, content_type)}
    return client.post("/covers", files=files, data={"description": "A cover"})


def test_a_small_png_is_still_accepted(client):
    status = _send(client, PNG + bytes(1000)).status_code
    assert status == 200, f"a 1 KB PNG answered {status}: a valid cover must still be accepted"


def test_a_file_over_4_mib_is_refused_with_413(client):
    status = _send(client, PNG + bytes(4 * 1024 * 1024 + 100)).status_code
    assert status == 413, (
        f"a PNG of a little over 4 MiB answered {status}: compare file.size with the limit and "
        "raise HTTPException(413)"
    )


def test_a_text_file_is_refused_with_415(client):
    status = _send(client, b"just text", "text/plain", "notes.txt").status_code
    assert status == 415, (
        f"a text/plain file answered {status}: check file.content_type against the types you "
        "accept and raise HTTPException(415)"
    )
