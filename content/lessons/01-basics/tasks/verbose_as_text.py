from fastapi import FastAPI

app = FastAPI(title="First app")


@app.get("/")
def read_root() -> dict[str, str]:
    return {"message": "Hello from FastAPI"}


@app.get("/health")
def health(verbose: str = "") -> dict[str, str]:
    if verbose:
        return {"status": "ok", "version": "1.0"}
    return {"status": "ok"}
