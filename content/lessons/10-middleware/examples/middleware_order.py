from fastapi import FastAPI, Request

app = FastAPI()
seen: list[str] = []


@app.middleware("http")
async def first_added(request: Request, call_next):
    seen.append("first_added in")
    response = await call_next(request)
    seen.append("first_added out")
    return response


@app.middleware("http")
async def second_added(request: Request, call_next):
    seen.append("second_added in")
    response = await call_next(request)
    seen.append("second_added out")
    return response


@app.get("/")
def home() -> dict[str, list[str]]:
    seen.append("endpoint")
    return {"seen so far": seen}
