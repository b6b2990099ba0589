from fastapi import FastAPI

app = FastAPI(title="Broken on purpose")


@app.get("/uptime")
def uptime() -> dict[str, str]:
    return {"status": "ok", "uptime_seconds": 12}  # the return type promised strings only


@app.get("/cover")
def cover():
    return {"title": "Dune", "thumbnail": b"\x89PNG\r\n\x1a\n"}  # raw image bytes are not text
