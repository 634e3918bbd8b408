"""smtplib.SMTP with a login beyond ASCII: a Swedish password may well hold å, ä or ö.

smtplib encodes the login's answers as ASCII and fails before anything reaches the server
(CPython issue 73936, still open); RFC 4616 (PLAIN) and RFC 4954 want UTF-8. The answers are
handed to smtplib as a str whose `encode` gives UTF-8 whatever codec is asked for, so
smtplib's own AUTH exchange (PLAIN, LOGIN, the server's challenges) is kept as it is.
"""

from __future__ import annotations

import hmac
import smtplib
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer as Buffer


class _Utf8(str):
    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return str.encode(self, "utf-8", errors)


class _Answers:
    """One of smtplib's answerers (auth_plain, auth_login, ...), its answers sent as UTF-8."""

    def __init__(self, answer: Any) -> None:
        self._answer = answer

    @overload
    def __call__(self, challenge: None = None, /) -> str | None: ...
    @overload
    def __call__(self, challenge: bytes, /) -> str: ...
    def __call__(self, challenge: bytes | None = None, /) -> str | None:
        said = self._answer(challenge)
        return None if said is None else _Utf8(said)


class Smtp(smtplib.SMTP):
    def auth(
        self, mechanism: str, authobject: Any, *, initial_response_ok: bool = True
    ) -> tuple[int, bytes]:
        return super().auth(
            mechanism, _Answers(authobject), initial_response_ok=initial_response_ok
        )

    @overload
    def auth_cram_md5(self, challenge: None = None) -> None: ...
    @overload
    def auth_cram_md5(self, challenge: Buffer) -> str: ...
    def auth_cram_md5(self, challenge: Buffer | None = None) -> str | None:
        if challenge is None:  # CRAM-MD5 has no initial response
            return None
        digest = hmac.HMAC(self.password.encode(), bytes(challenge), "md5").hexdigest()
        return f"{self.user} {digest}"
