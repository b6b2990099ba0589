"""Checkout service: turns a cart line into a charge."""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI()
CATALOG = {"keyboard": 49.0, "monitor": 189.0}


class CartLine(BaseModel):
    sku: str
    quantity: int = Field(ge=1, le=10)


@app.post("/checkout")
def checkout(line: CartLine) -> dict[str, object]:
    if line.sku not in CATALOG:
        raise HTTPException(404, f"No product {line.sku!r}")
    total = CATALOG[line.sku]
    return {"sku": line.sku, "quantity": line.quantity, "charged": total}
