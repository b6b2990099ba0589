"""Cover uploads: JPEG or PNG by magic bytes, at most 2 MiB, served back as stored."""

from __future__ import annotations

import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
MIB = 1024 * 1024


def _upload(client, book_id, data, headers, filename="cover.png", content_type="image/png"):
    return client.put(
        f"/books/{book_id}/cover", files={"file": (filename, data, content_type)}, headers=headers
    )


@pytest.mark.parametrize(("data", "media_type"), [(PNG, "image/png"), (JPEG, "image/jpeg")])
def test_uploaded_cover_is_served_back_with_its_real_type(
    client, admin, add_book, data, media_type
):
    book = add_book()

    # The client's claims (name, Content-Type) are wrong on purpose: the bytes decide.
    response = _upload(client, book["id"], data, admin, "cover.gif", "image/gif")

    assert response.status_code == 200
    cover = client.get(response.json()["cover_url"])
    assert cover.status_code == 200
    assert cover.headers["content-type"] == media_type
    assert cover.content == data


def test_files_that_are_not_jpeg_or_png_are_415_whatever_they_claim(client, admin, add_book):
    book = add_book()

    response = _upload(client, book["id"], b"<svg onload=alert(1)>", admin)

    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"
    assert client.get(f"/books/{book['id']}").json()["cover_url"] is None


def test_covers_over_2_mib_are_413(client, admin, add_book):
    book = add_book()

    response = _upload(client, book["id"], PNG + b"\x00" * (2 * MIB), admin)

    assert response.status_code == 413
    assert response.json()["error"] == "content_too_large"
    assert client.get(f"/books/{book['id']}/cover").status_code == 404


def test_a_cover_of_exactly_2_mib_is_accepted(client, admin, add_book):
    book = add_book()

    response = _upload(client, book["id"], PNG + b"\x00" * (2 * MIB - len(PNG)), admin)

    assert response.status_code == 200


def test_replacing_a_cover_serves_the_new_one_and_deletes_the_old_file(
    client, admin, add_book, settings
):
    book = add_book()
    _upload(client, book["id"], PNG, admin)

    _upload(client, book["id"], JPEG, admin)

    assert client.get(f"/books/{book['id']}/cover").content == JPEG
    assert len(list(settings.covers_dir.iterdir())) == 1


def test_deleting_a_book_deletes_its_cover_file(client, admin, add_book, settings):
    book = add_book()
    _upload(client, book["id"], PNG, admin)

    client.delete(f"/books/{book['id']}", headers=admin)

    assert list(settings.covers_dir.iterdir()) == []


def test_stored_file_name_is_generated_not_the_uploaders(client, admin, add_book, settings):
    book = add_book()

    _upload(client, book["id"], PNG, admin, filename="../../etc/passwd.png")

    [stored] = settings.covers_dir.iterdir()
    assert "passwd" not in stored.name
    assert stored.suffix == ".png"


def test_only_admins_upload_covers(client, reader, add_book):
    book = add_book()

    assert _upload(client, book["id"], PNG, reader).status_code == 403
    assert _upload(client, book["id"], PNG, {}).status_code == 401


def test_cover_of_a_missing_book_or_a_book_without_one_is_404(client, admin, add_book):
    book = add_book()

    assert _upload(client, 999, PNG, admin).status_code == 404
    assert client.get("/books/999/cover").status_code == 404
    missing = client.get(f"/books/{book['id']}/cover")
    assert missing.status_code == 404
    assert "no cover" in missing.json()["message"]


def test_upload_without_a_file_field_is_422(client, admin, add_book):
    book = add_book()

    response = client.put(f"/books/{book['id']}/cover", data={"other": "x"}, headers=admin)

    assert response.status_code == 422
    assert response.json()["details"][0]["loc"] == ["body", "file"]
