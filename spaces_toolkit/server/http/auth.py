"""HTTP Basic authentication with the access token as the username (password ignored)."""

from __future__ import annotations

import base64
import binascii
import time

from ..problems import ApiError
from ..storage.database import Database, Row, Transaction
from ..storage.ids import hash_token
from ..storage.repo.accounts import check_token_hash_with_next, find_token, find_token_hash

__all__ = ["token_from_header", "authenticate", "Authenticator"]


def token_from_header(header: str | None) -> str:
    """The access token in an `Authorization: Basic …` header; 401 if missing or garbled."""
    if not header:
        raise ApiError.unauthorized(
            "No access token provided: use HTTP Basic auth with your access token as the"
            " username and an empty password (curl -u ACCESS_TOKEN:)"
        )
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise ApiError.unauthorized(
            f"Unsupported authorization scheme {scheme[:20]!r}: use HTTP Basic auth with your"
            " access token as the username"
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise ApiError.unauthorized("Malformed Basic credentials: not base64 of 'token:'") from None
    token, colon, _ = decoded.partition(":")
    if not colon:
        raise ApiError.unauthorized(
            "Malformed Basic credentials: not base64 of 'token:' (the colon is missing)"
        )
    if not token:
        raise ApiError.unauthorized("No access token provided: the Basic username is empty")
    return token


def authenticate(db: Database, header: str | None) -> int:
    """The account id the request's credentials belong to; 401 otherwise (unknown, revoked
    or expired token)."""
    token = token_from_header(header)
    with db.read() as tx:
        row = find_token(tx, token)
    return _account_of(row)


def _account_of(row: Row | None) -> int:
    """The account of a stored token row that is valid now; 401 otherwise."""
    if row is None:
        raise ApiError.unauthorized("Invalid access token")
    if row["revoked_at"] is not None:
        raise ApiError.unauthorized("Access token revoked")
    if row["expires_at"] is not None and row["expires_at"] <= time.time():
        raise ApiError.unauthorized("Access token expired")
    return int(row["account_id"])


_HASHES_MAX = 1024


class Authenticator:
    """`authenticate`, once per request: the token's row is read on every request, so a revoked
    or expired token is refused on its next request, in every process sharing the database.

    (This used to remember tokens found valid for 30 s; a cache shared across processes would
    need a read per request anyway to learn of revocations.) What is remembered is only what
    never changes: which token hash an `Authorization` value names (parsing and SHA-256, pure
    functions of the header), for the last `_HASHES_MAX` distinct headers, and which account
    a token hash belongs to (a token never changes accounts). The latter lets a GET's reads
    start before its token's row is back: the row is read in the same round trip as the
    request's first statement on PostgreSQL (`Transaction.one_with_next`) and checked before
    anything read is used; a refused token is a 401 whatever the reads found."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._hashes: dict[str, str] = {}
        self._accounts: dict[str, int] = {}  # token hash -> its account, once seen valid

    def token_hash(self, header: str | None) -> str:
        """The stored hash of the header's token; 401 if the header is missing or garbled."""
        if header is not None:
            known = self._hashes.get(header)
            if known is not None:
                return known
        digest = hash_token(token_from_header(header))
        assert header is not None  # token_from_header refused a missing one
        if len(self._hashes) >= _HASHES_MAX:
            self._hashes.clear()
        self._hashes[header] = digest
        return digest

    def account_id(self, header: str | None, tx: Transaction | None = None) -> int:
        """The account the request's credentials belong to (read in `tx` when given, so a GET
        authenticates in the same snapshot as it reads); 401 otherwise. With `tx`, and a
        token seen before, the token's row may be checked only with `tx`'s next statement
        (before its rows are handed over) or at the end of `tx`'s reads."""
        digest = self.token_hash(header)
        if tx is None:
            with self.db.read() as own:
                return _account_of(find_token_hash(own, digest))
        known = self._accounts.get(digest)
        if known is None:
            account = _account_of(find_token_hash(tx, digest))
            if len(self._accounts) >= _HASHES_MAX:
                self._accounts.clear()
            self._accounts[digest] = account
            return account

        def check(row: Row | None) -> None:
            if _account_of(row) != known:  # cannot happen: a token keeps its account
                raise ApiError.unauthorized("Invalid access token")

        check_token_hash_with_next(tx, digest, check)
        return known
