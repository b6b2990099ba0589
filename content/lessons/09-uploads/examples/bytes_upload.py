from typing import Annotated

from fastapi import FastAPI, File

app = FastAPI()


@app.post("/signatures")
def check_signature(signature: Annotated[bytes, File(max_length=4096)]) -> dict[str, int | str]:
    return {"size": len(signature), "starts_with": signature[:4].hex()}
