from fastapi import FastAPI, Request

# Served behind a proxy at https://example.com/api/: the server is told the prefix
# (`uvicorn proxy_headers:app --root-path /api`), the app's routes stay as they are.
app = FastAPI()


@app.get("/where")
def where(request: Request):
    return {
        "client": request.client.host if request.client else None,
        "scheme": request.url.scheme,
        "docs_url": str(request.url_for("swagger_ui_html")),
    }
