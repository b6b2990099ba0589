"""Your store credit: look, deposit, withdraw, and buy books with it."""

from __future__ import annotations

from fastapi import APIRouter, status

from bookstore.api.deps import CurrentUser, SessionDep
from bookstore.api.errors import error_responses
from bookstore.schemas.wallet import Amount, PurchaseCreate, PurchasePublic, WalletPublic
from bookstore.services import books, wallet

router = APIRouter(prefix="/wallet", tags=["wallet"])


@router.get("", responses=error_responses(401))
def read_wallet(user: CurrentUser, session: SessionDep) -> WalletPublic:
    return WalletPublic(balance_cents=wallet.balance(session, user.id))


@router.post("/deposit", responses=error_responses(400, 401, 413, 422))
def deposit(payment: Amount, user: CurrentUser, session: SessionDep) -> WalletPublic:
    new_balance = wallet.deposit(session, user.id, payment.amount)
    session.commit()
    return WalletPublic(balance_cents=new_balance)


@router.post("/withdraw", responses=error_responses(400, 401, 402, 413, 422))
def withdraw(payment: Amount, user: CurrentUser, session: SessionDep) -> WalletPublic:
    """Take money out; a 402 (nothing taken) if the wallet holds less than `amount`."""
    new_balance = wallet.withdraw(session, user.id, payment.amount)
    session.commit()
    return WalletPublic(balance_cents=new_balance)


@router.get("/purchases", responses=error_responses(401))
def list_purchases(user: CurrentUser, session: SessionDep) -> list[PurchasePublic]:
    return [PurchasePublic.model_validate(p) for p in wallet.purchases(session, user.id)]


@router.post(
    "/purchases",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(400, 401, 402, 404, 409, 413, 422),
)
def buy_book(order: PurchaseCreate, user: CurrentUser, session: SessionDep) -> PurchasePublic:
    """Buy a book with store credit: 402 if the wallet holds too little, 409 if you own it."""
    book = books.get_book(session, order.book_id)
    return PurchasePublic.model_validate(wallet.buy(session, user, book))
