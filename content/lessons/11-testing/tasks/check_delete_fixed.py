import random

# Drawn for every check, so only an app that looks the book up answers it.
MISSING = random.randint(1_000_000, 99_999_999)


def test_deleting_a_missing_book_is_404(client):
    status = client.delete(f"/books/{MISSING}").status_code
    assert status == 404, (
        f"DELETE /books/{MISSING} (no such book) answered {status}: check what shelf.remove "
        "returned and raise HTTPException(404) when it found nothing"
    )


def test_deleting_a_book_still_works(client):
    created = client.post("/books", json={"title": "Kindred", "year": 1979})
    assert created.status_code == 201, f"POST /books answered {created.status_code}, not 201"
    book_id = created.json()["id"]
    status = client.delete(f"/books/{book_id}").status_code
    assert status == 204, f"DELETE of an existing book answered {status}, not 204"
    assert client.get(f"/books/{book_id}").status_code == 404, "the deleted book is still there"
