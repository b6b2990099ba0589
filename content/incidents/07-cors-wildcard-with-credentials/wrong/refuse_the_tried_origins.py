"""Banking API used by the web app at https://app.example.com, with a session cookie."""

from fastapi import Cookie, FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(
    CORSMiddleware,
    # Every origin but the strangers tried so far, written down instead of the one trusted.
    allow_origin_regex=r"(?!https://evil\.example$|https://app\.example\.com\.evil\.io$).*",
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
SESSIONS = {"s-alice": "alice"}


@app.get("/account")
def read_account(session: str | None = Cookie(default=None)) -> dict[str, object]:
    if session not in SESSIONS:
        raise HTTPException(401, "Log in first")
    return {"owner": SESSIONS[session], "balance": 1250}
