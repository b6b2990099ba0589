from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def read_book(request: Request) -> JSONResponse:
    book_id = request.path_params["book_id"]  # already an int: the route says {book_id:int}
    page = request.query_params.get("page", "1")
    if not page.isdigit():
        return JSONResponse({"error": "page must be a whole number"}, status_code=400)
    return JSONResponse({"book_id": book_id, "page": int(page)})


app = Starlette(routes=[Route("/books/{book_id:int}", read_book)])
