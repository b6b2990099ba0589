from contextlib import asynccontextmanager

from fastapi import FastAPI, Response


@asynccontextmanager
async def lifespan(app: FastAPI):
    app.state.ready = True  # connections opened, caches warmed: now traffic may come
    yield
    app.state.ready = False  # shutting down: the load balancer should stop sending


app = FastAPI(lifespan=lifespan)
app.state.ready = False


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/ready")
def ready(response: Response):
    if not app.state.ready:
        response.status_code = 503
        return {"status": "starting"}
    return {"status": "ready"}
