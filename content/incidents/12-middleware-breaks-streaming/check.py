"""Hidden tests: the export streams (chunked, as a CSV download); sizes are still logged."""

import ast


def test_the_export_holds_every_row(client):
    response = client.get("/export")
    assert response.status_code == 200, f"GET /export answered {response.status_code}"
    assert response.text.splitlines() == ["id,amount", "1,10", "2,20", "3,30", "4,40", "5,50"], (
        f"GET /export returned {response.text!r}"
    )


def test_the_export_is_streamed(client):
    response = client.get("/export")
    encoding = response.headers.get("transfer-encoding")
    assert encoding == "chunked", (
        "GET /export came with a Content-Length and no Transfer-Encoding: chunked, so the "
        "whole file was collected before the first byte left. Pass the stream on."
    )


def test_the_export_is_still_a_csv_download(client):
    response = client.get("/export")
    assert response.headers.get("content-type", "").startswith("text/csv")
    assert "ledger.csv" in response.headers.get("content-disposition", "")


def test_json_routes_still_answer(client):
    response = client.get("/summary")
    assert response.json() == {"rows": 5, "total": 150}
    assert response.headers.get("content-type") == "application/json"


def _is_middleware(node: ast.AST) -> bool:
    if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef | ast.ClassDef):
        return any("middleware" in ast.unparse(d) for d in node.decorator_list)
    return isinstance(node, ast.Call) and ast.unparse(node.func).endswith("add_middleware")


def test_response_sizes_are_still_logged(source):
    tree = ast.parse(source["app.py"])
    assert any(_is_middleware(node) for node in ast.walk(tree))
    assert "logger.info" in source["app.py"]
