from typing import Annotated

from fastapi import FastAPI, Form, UploadFile
from pydantic import BaseModel, Field


class CoverForm(BaseModel):
    description: str = Field(min_length=1, max_length=200)
    credit: str | None = Field(default=None, max_length=100)


app = FastAPI()


@app.post("/covers")
async def upload_cover(form: Annotated[CoverForm, Form()], file: UploadFile) -> dict[str, object]:
    return {"form": form.model_dump(), "filename": file.filename}
