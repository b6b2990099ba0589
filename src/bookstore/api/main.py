"""The whole API: one router per resource, assembled here."""

from __future__ import annotations

from fastapi import APIRouter

from bookstore.api.routes import admin, books, clubs, covers, health, login, users, wallet

api_router = APIRouter()
for module in (health, login, users, books, covers, wallet, admin, clubs):
    api_router.include_router(module.router)
