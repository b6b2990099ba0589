from fastapi import FastAPI

app = FastAPI(title="First app")


@app.get("/")
def read_root() -> dict[str, str]:
    return {"message": "Hello from FastAPI"}


@app.get("/health")
def health(verbose: bool = False) -> dict[str, str]:
    return {"status": "ok", "version": "1.0"}
