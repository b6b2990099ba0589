from fastapi.testclient import TestClient


def test_bytes_arrive_as_one_value(example):
    client = TestClient(example("bytes_upload").app)
    response = client.post("/signatures", files={"signature": ("sig.bin", b"\x01\x02\x03\x04\x05")})
    assert response.json() == {"size": 5, "starts_with": "01020304"}


def test_a_bytes_file_over_its_max_length_is_a_422(example):
    client = TestClient(example("bytes_upload").app)
    response = client.post("/signatures", files={"signature": ("sig.bin", bytes(5000))})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "bytes_too_long"
