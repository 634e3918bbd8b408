"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives and misbehaves on
request: refuses the next messages with a given answer, drops the connection after the data,
refuses recipients, asks for a login, offers STARTTLS or not.

aiosmtpd runs its own event loop on a thread; the test talks to it with smtplib as a real
client would, so the e-mail notifier is tested through a real SMTP conversation.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any, cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None  # the user the client logged in as, None without a login

    @property
    def message(self) -> EmailMessage:
        return cast(EmailMessage, message_from_bytes(self.raw, policy=policy.default))


@dataclass
class _Handler:
    received: list[Received] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)  # the next messages' answers, in order
    drops: int = 0  # this many messages get the connection closed instead of an answer
    refused_recipients: dict[str, str] = field(default_factory=dict)  # address -> answer
    data_seen: int = 0  # messages the server read to the end, whatever it answered

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.data_seen += 1
        if self.drops:
            self.drops -= 1
            # After the data and before an answer: the client cannot know it was not taken.
            assert server.transport is not None
            server.transport.abort()
            return "421 closing"  # never reaches the client
        if self.answers:
            return self.answers.pop(0)
        login = session.auth_data.login.decode() if session.authenticated else None
        self.received.append(
            Received(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                raw=bytes(envelope.original_content or b""),
                login=login,
            )
        )
        return "250 OK: queued"


class SmtpServer:
    """`with SmtpServer(...) as server:` a running server; `server.port`, `server.received`.

    `logins`: user -> password; when given, the server asks for a login before MAIL FROM
    (over plain text too when no `tls` is given: aiosmtpd warns of that, so a test module
    using it ignores that one warning). `tls`: an SSL context for the server's
    side to offer STARTTLS with; None offers no STARTTLS. `mechanisms`: the only login
    mechanisms offered (aiosmtpd's are PLAIN and LOGIN).
    """

    def __init__(
        self,
        logins: dict[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        mechanisms: set[str] | None = None,
    ) -> None:
        self.handler = _Handler()
        self.port = _free_port()
        self.logins = logins
        kwargs: dict[str, Any] = {"tls_context": tls}
        if logins is not None:
            kwargs |= {
                "authenticator": self._authenticate,
                "auth_required": True,
                # with STARTTLS offered, a login only after it, as a real server would ask
                "auth_require_tls": tls is not None,
            }
        if mechanisms is not None:
            kwargs["auth_exclude_mechanism"] = {"PLAIN", "LOGIN"} - mechanisms
        self.controller = Controller(self.handler, hostname=HOST, port=self.port, **kwargs)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    @property
    def data_seen(self) -> int:
        return self.handler.data_seen

    def answer_next(self, *answers: str) -> None:
        """The next messages are answered so ("451 4.3.0 try later"), then taken as usual."""
        self.handler.answers.extend(answers)

    def drop_next(self, times: int = 1) -> None:
        """The next messages' connections are closed after their data, with no answer."""
        self.handler.drops += times

    def refuse_recipient(self, address: str, answer: str = "550 5.1.1 no such user") -> None:
        self.handler.refused_recipients[address] = answer

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or self.logins is None:
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        ok = self.logins.get(user) == password
        return AuthResult(success=ok, handled=False, auth_data=data if ok else None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])
