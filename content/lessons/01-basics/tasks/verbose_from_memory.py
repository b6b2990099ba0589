from fastapi import FastAPI, HTTPException

app = FastAPI(title="First app")


@app.get("/")
def read_root() -> dict[str, str]:
    return {"message": "Hello from FastAPI"}


@app.get("/health")
def health(verbose: str | None = None) -> dict[str, str]:
    # The spellings tried so far, written down instead of letting FastAPI read a bool.
    if verbose is None:
        return {"status": "ok"}
    if verbose in ("true", "yes"):
        return {"status": "ok", "version": "1.0"}
    raise HTTPException(422, f"{verbose!r} is not a yes or a no")
