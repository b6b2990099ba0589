from flask import Flask, abort, jsonify, request

app = Flask(__name__)

BOOKS = {
    1: {"id": 1, "title": "Dune", "year": 1965},
    2: {"id": 2, "title": "Neuromancer", "year": 1984},
    3: {"id": 3, "title": "Hyperion", "year": 1989},
}


def book_problems(data: object) -> list[str]:
    """Flask has no validation of its own: the checks FastAPI derives from BookIn, by hand."""
    if not isinstance(data, dict):
        return ["the body must be a JSON object"]
    problems = []
    title = data.get("title")
    if not isinstance(title, str) or not 1 <= len(title) <= 200:
        problems.append("title must be text of 1 to 200 characters")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 2100:
        problems.append("year must be a whole number from 1000 to 2100")
    return problems


@app.get("/hello")
def hello():
    return {"message": "Hello, world"}


@app.get("/books/<int:book_id>")
def read_book(book_id: int):
    book = BOOKS.get(book_id)
    if book is None:
        abort(404, description="No such book")
    return book


@app.post("/books")
def create_book():
    data = request.get_json(silent=True)
    problems = book_problems(data)
    if problems:
        return jsonify(errors=problems), 422
    return {"id": len(BOOKS) + 1, "title": data["title"], "year": data["year"]}, 201
