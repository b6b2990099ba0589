"""Checkout service: turns a cart line into a charge."""

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI()
CATALOG = {"keyboard": 49.0, "monitor": 189.0}


class CartLine(BaseModel):
    sku: str
    quantity: int = Field(ge=1, le=10)
    unit_price: float = Field(ge=1.0)


@app.post("/checkout")
def checkout(line: CartLine) -> dict[str, object]:
    if line.sku not in CATALOG:
        raise HTTPException(404, f"No product {line.sku!r}")
    total = round(line.unit_price * line.quantity, 2)
    return {"sku": line.sku, "quantity": line.quantity, "charged": total}
