from fastapi import FastAPI
from pydantic import BaseModel


class BookDraft(BaseModel):
    title: str
    subtitle: str | None = None
    series: str | None
    language: str = "en"


app = FastAPI(title="Bookshop")


@app.post("/drafts", status_code=201)
def save_draft(draft: BookDraft) -> dict[str, object]:
    return {"draft": draft, "sent": sorted(draft.model_fields_set)}
