from fastapi.testclient import TestClient


def test_several_files_arrive_in_order_with_a_validated_form_field(example):
    client = TestClient(example("several_files").app)
    files = [
        ("pages", ("p1.png", b"one", "image/png")),
        ("pages", ("p2.png", b"three", "image/png")),
    ]
    response = client.post("/books/7/pages", files=files, data={"first_page": "3"})
    assert response.status_code == 200
    assert response.json() == {
        "book_id": 7,
        "first_page": 3,
        "names": ["p1.png", "p2.png"],
        "sizes": [3, 5],
    }


def test_a_first_page_of_zero_is_refused(example):
    client = TestClient(example("several_files").app)
    files = [("pages", ("p1.png", b"one", "image/png"))]
    response = client.post("/books/7/pages", files=files, data={"first_page": "0"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "first_page"]
