import pytest
from fastapi.testclient import TestClient


def _client(example) -> TestClient:
    return TestClient(example("strict_fields").app)


def test_a_real_json_integer_year_is_accepted(example):
    response = _client(example).post("/books", json={"title": "Dune", "year": 1965})
    assert response.status_code == 201
    assert response.json() == {"title": "Dune", "year": 1965}


@pytest.mark.parametrize("year", ["1965", 1965.0, True])
def test_strict_year_refuses_anything_but_an_integer(example, year):
    response = _client(example).post("/books", json={"title": "Dune", "year": year})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_type",
                "loc": ["body", "year"],
                "msg": "Input should be a valid integer",
                "input": year,
            }
        ]
    }


def test_strict_year_still_checks_its_range(example):
    response = _client(example).post("/books", json={"title": "Dune", "year": 500})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "greater_than_equal"


def test_model_wide_strict_rejects_every_date_a_json_client_can_send(example):
    response = _client(example).post("/editions", json={"title": "Dune", "published": "1965-08-01"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "date_type",
                "loc": ["body", "published"],
                "msg": "Input should be a valid date",
                "input": "1965-08-01",
            }
        ]
    }


def test_the_same_strict_model_accepts_the_date_when_parsing_json_itself(example):
    model = example("strict_fields").EditionCreate
    edition = model.model_validate_json('{"title": "Dune", "published": "1965-08-01"}')
    assert edition.published.isoformat() == "1965-08-01"


def test_openapi_promises_a_date_string_the_strict_endpoint_then_refuses(example):
    schema = _client(example).get("/openapi.json").json()
    published = schema["components"]["schemas"]["EditionCreate"]["properties"]["published"]
    assert published == {"type": "string", "format": "date", "title": "Published"}
    year = schema["components"]["schemas"]["BookCreate"]["properties"]["year"]
    assert year == {"type": "integer", "maximum": 2100, "minimum": 1000, "title": "Year"}
