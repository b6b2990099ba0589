import random
import secrets

PNG = b"\x89PNG\r\n\x1a\n"
MIB = 1024 * 1024

# Drawn for every check, so only an app that compares the size with the limit and the type with
# the types it accepts passes: a cover's size, how far a large file goes over 4 MiB (never the
# 100 bytes tried before), and a type that is no image (never the text/plain tried before).
SMALL = random.randint(500, 200_000)
OVER = random.randint(101, 256 * 1024)
NOT_AN_IMAGE, NAME = random.choice(
    (
        ("application/pdf", "cover.pdf"),
        ("text/html", "cover.html"),
        ("application/zip", "covers.zip"),
        ("text/csv", "covers.csv"),
        ("application/json", "cover.json"),
    )
)


def _send(client, content: bytes, content_type: str = "image/png", filename: str = "cover.png"):
    files = {"file": (filename, content, content_type)}
    return client.post("/covers", files=files, data={"description": "A cover"})


def test_a_small_png_is_still_accepted(client):
    status = _send(client, PNG + bytes(SMALL)).status_code
    assert status == 200, (
        f"a PNG of {SMALL + len(PNG)} bytes answered {status}: a valid cover must still be accepted"
    )


def test_a_file_over_4_mib_is_refused_with_413(client):
    size = 4 * MIB + OVER
    status = _send(client, PNG + bytes(size - len(PNG))).status_code
    assert status == 413, (
        f"a PNG of {size} bytes ({OVER} over 4 MiB) answered {status}: compare file.size with "
        "the limit and raise HTTPException(413)"
    )


def test_a_file_that_is_no_image_is_refused_with_415(client):
    content = secrets.token_bytes(random.randint(10, 2000))
    status = _send(client, content, NOT_AN_IMAGE, NAME).status_code
    assert status == 415, (
        f"a file sent as {NOT_AN_IMAGE} answered {status}: check file.content_type against the "
        "types you accept and raise HTTPException(415)"
    )
