"""Users, sessions and API keys."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from keepwild.service.schemas.common import Strict

__all__ = ["LoginIn", "SessionOut", "UserIn", "UserPatch", "UserOut", "KeyIn", "KeyOut",
           "NewKeyOut"]

Role = Literal["admin", "curator", "moderator", "spotter", "analyst"]


class LoginIn(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserIn(Strict):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: Role
    password: str | None = Field(None, min_length=12, max_length=256)
    display_name: str = Field("", max_length=128)


class UserPatch(Strict):
    active: bool


class UserOut(BaseModel):
    id: int
    username: str
    role: str
    display_name: str
    active: bool
    created_at: datetime


class KeyIn(Strict):
    name: str = Field(min_length=1, max_length=64)
    scopes: list[str] | None = Field(None, max_length=20,
                                     description="Default: everything the owner may do")
    user_id: int | None = Field(None, description="Admins only: issue for another user")
    expires_days: int | None = Field(None, ge=1, le=3650)


class KeyOut(BaseModel):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    user_id: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class NewKeyOut(KeyOut):
    key: str = Field(description="Shown once: keepwild stores only its hash")


class SessionOut(BaseModel):
    key: str
    expires_at: datetime | None
    user: UserOut
