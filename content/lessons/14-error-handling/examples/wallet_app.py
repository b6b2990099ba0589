"""A wallet holding $100, and the errors FastAPI produces around it."""

from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

app = FastAPI()
wallet = {"balance": 100}


class Withdrawal(BaseModel):
    amount: int = Field(gt=0)


class InsufficientFundsError(Exception):
    def __init__(self, balance: int, needed: int) -> None:
        self.balance = balance
        self.needed = needed


@app.exception_handler(InsufficientFundsError)
async def insufficient_funds(request: Request, exc: InsufficientFundsError) -> JSONResponse:
    return JSONResponse(
        status_code=402,
        content={"error": "insufficient_funds", "balance": exc.balance, "needed": exc.needed},
    )


@app.post("/withdraw")
def withdraw(withdrawal: Withdrawal) -> dict[str, int]:
    if withdrawal.amount > wallet["balance"]:
        raise InsufficientFundsError(balance=wallet["balance"], needed=withdrawal.amount)
    wallet["balance"] -= withdrawal.amount
    return {"balance": wallet["balance"]}


@app.get("/vault")
def vault() -> dict[str, str]:
    raise HTTPException(
        status_code=401,
        detail="The vault needs a token",
        headers={"WWW-Authenticate": "Bearer"},
    )


@app.get("/report")
def report() -> dict[str, float]:
    return {"average": wallet["balance"] / 0}


def ledger():
    print("ledger: opened")
    try:
        yield ["opening balance: 100"]
    except InsufficientFundsError:
        print("ledger: rolled back")
        raise
    finally:
        print("ledger: closed")


@app.post("/transfer")
def transfer(withdrawal: Withdrawal, entries: Annotated[list[str], Depends(ledger)]) -> dict:
    if withdrawal.amount > wallet["balance"]:
        raise InsufficientFundsError(balance=wallet["balance"], needed=withdrawal.amount)
    entries.append(f"transfer: {withdrawal.amount}")
    return {"entries": entries}
