"""Scoped API keys, stored hashed: a key is shown once, when it is created.

A key is ``ss_<scope>_<43 random url-safe characters>`` (256 bits from
:mod:`secrets`). Only its SHA-256 is stored: the key is a random token, not a
password, so a fast hash is enough to make a leaked table useless.

Scopes and what they grant:

========  ==========================================================
scope     grants
========  ==========================================================
search    read: products, search, suggest, recommendations, storefront
ingest    read + write: product upserts and deletes, events
admin     everything: + quality report, quarantine, metrics, admin pages
========  ==========================================================
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Engine, select, update

from shopsense.core.errors import InputError, NotFoundError
from shopsense.storage.schema import api_keys as K


class Scope(StrEnum):
    SEARCH = "search"
    INGEST = "ingest"
    ADMIN = "admin"


class Access(StrEnum):
    """What an endpoint needs."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


GRANTS: dict[Scope, frozenset[Access]] = {
    Scope.SEARCH: frozenset({Access.READ}),
    Scope.INGEST: frozenset({Access.READ, Access.WRITE}),
    Scope.ADMIN: frozenset({Access.READ, Access.WRITE, Access.ADMIN}),
}
MAX_KEY_LENGTH = 128


def grants(scope: Scope, access: Access) -> bool:
    return access in GRANTS[scope]


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    id: int
    prefix: str
    scope: Scope
    name: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewKey:
    """A freshly created key: ``secret`` is the only time the key is ever shown."""

    info: KeyInfo
    secret: str


def _parse_scope(scope: str) -> Scope:
    try:
        return Scope(scope)
    except ValueError:
        choices = ", ".join(s.value for s in Scope)
        raise InputError(f"unknown scope {scope!r}: choose one of {choices}") from None


class ApiKeyStore:
    """Creates, verifies, lists and revokes keys in one store."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self, scope: str, name: str = "") -> NewKey:
        parsed = _parse_scope(scope)
        secret = f"ss_{parsed.value}_{secrets.token_urlsafe(32)}"
        prefix = secret[: len(parsed.value) + 8]
        now = datetime.now(UTC)
        row = {
            "prefix": prefix,
            "key_hash": hash_key(secret),
            "scope": parsed.value,
            "name": name[:128],
            "created_at": now,
        }
        with self.engine.begin() as conn:
            key_id = conn.execute(K.insert().returning(K.c.id), row).scalar_one()
        return NewKey(KeyInfo(int(key_id), prefix, parsed, name[:128], now, None), secret)

    def verify(self, key: str) -> Scope | None:
        """The scope of a live key, or None for an unknown or revoked one."""
        if not key or len(key) > MAX_KEY_LENGTH:
            return None
        query = select(K.c.scope).where(K.c.key_hash == hash_key(key), K.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            scope = conn.execute(query).scalar_one_or_none()
        return Scope(scope) if scope is not None else None

    def list(self, *, include_revoked: bool = False) -> list[KeyInfo]:
        query = select(K).order_by(K.c.id)
        if not include_revoked:
            query = query.where(K.c.revoked_at.is_(None))
        with self.engine.connect() as conn:
            rows = list(conn.execute(query).mappings())
        return [
            KeyInfo(
                r["id"], r["prefix"], Scope(r["scope"]), r["name"], r["created_at"], r["revoked_at"]
            )
            for r in rows
        ]

    def revoke(self, key_id: int) -> None:
        stmt = (
            update(K)
            .where(K.c.id == key_id, K.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        with self.engine.begin() as conn:
            if conn.execute(stmt).rowcount == 0:
                raise NotFoundError(f"no live API key with id {key_id}")
