from fastapi import FastAPI


def create_app(*, expose_docs: bool = False) -> FastAPI:
    # Without a schema URL there is nothing to render, so /docs and /redoc disappear too.
    app = FastAPI(title="Bookshop", openapi_url="/openapi.json" if expose_docs else None)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


app = create_app()
