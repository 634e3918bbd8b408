"""The digest as one e-mail through an SMTP server: multipart/alternative, plain text and HTML.

The standard library builds the message (`email.message.EmailMessage`: MIME parts, UTF-8, the
Swedish subject encoded per RFC 2047) and speaks SMTP (`smtplib`); nothing here writes MIME
by hand. The Message-ID is made once, when the digest is rendered and recorded, so a resend of
the recorded message carries the same one and a mail program can drop a second copy.

Failures an SMTP client is expected to retry (RFC 5321 4xx answers, a connection lost before
the server said it accepted the message) are retried through the RetryPolicy's `retries` and
`wait`; the rest raise NotifyError in plain words naming the server and what to do. A digest
is taken as sent only on the server's "250" to the message: should the server drop the
connection after taking the data but before answering, the retry may deliver a copy, which
RFC 5321 prefers to a digest lost, and the copy carries the same Message-ID.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, localtime, make_msgid, parseaddr

from monitor.config import Config, EmailTable
from monitor.digest.document import DigestDocument
from monitor.errors import NotifyError
from monitor.notify.base import Message
from monitor.notify.email_html import as_html
from monitor.notify.i18n import Words
from monitor.notify.plain_text import as_text
from monitor.notify.retry import RetryPolicy, usual
from monitor.notify.smtp_login import Smtp

log = logging.getLogger(__name__)

SETUP_HINT = "add an [email] table with smtp_host, from and to to sources.toml"
LOGIN_ADVICE = "set MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD"


class _Transient(Exception):
    """A failure worth another attempt; `what` happened, `advice` if every attempt fails."""

    def __init__(self, what: str, advice: str) -> None:
        super().__init__(what)
        self.what = what
        self.advice = advice


@dataclass
class EmailNotifier:
    table: EmailTable
    user: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # None: the system's trusted certificates; a test hands in one that trusts its own CA.
    ssl_context: ssl.SSLContext | None = None
    name: str = field(default="email", init=False)
    mode: str = field(default="smtp", init=False)
    records: bool = field(default=True, init=False)
    # A copy after a lost answer carries the same Message-ID, which mail programs fold.
    resends_lost: bool = field(default=True, init=False)

    def render(self, document: DigestDocument) -> list[Message]:
        payload = {
            "subject": document.subject,
            "text": as_text(document),
            "html": as_html(document),
            "message_id": make_msgid(domain=_domain(self.table.sender)),
        }
        return [Message(key="mail", text=document.subject, payload=payload)]

    def find(self, message: Message, reply_to: str | None) -> str | None:
        return None  # SMTP cannot tell whether a message arrived; its Message-ID stays the same

    def send(self, message: Message, reply_to: str | None) -> str:
        """Send the one e-mail of a digest (nothing replies to it, so `reply_to` is unused);
        return its Message-ID."""
        self._check_login_settings()
        mail = self.mail(message)
        for attempt in range(1, self.retry.retries + 1):
            try:
                return self._deliver(mail)
            except _Transient as failure:
                log.info("e-mail attempt %d failed, trying again: %s", attempt, failure.what)
                self.retry.wait(attempt - 1)
        try:
            return self._deliver(mail)
        except _Transient as failure:
            attempts = self.retry.retries + 1
            raise NotifyError(
                self._scrub(f"{failure.what} after {attempts} attempts: {failure.advice}")
            ) from failure

    def mail(self, message: Message) -> EmailMessage:
        """The e-mail of a recorded message, as it goes to the server."""
        if not self.table.to:
            raise NotifyError("the [email] table's `to` lists no address: add at least one")
        payload = message.payload
        mail = EmailMessage()
        mail["From"] = self.table.sender
        mail["To"] = ", ".join(self.table.to)
        mail["Subject"] = payload["subject"]
        mail["Date"] = format_datetime(localtime())
        mail["Message-ID"] = payload["message_id"]
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to it
        mail.set_content(payload["text"])
        mail.add_alternative(payload["html"], subtype="html")
        return mail

    @property
    def server(self) -> str:
        return f"{self.table.smtp_host}:{self.table.smtp_port}"

    def _check_login_settings(self) -> None:
        if bool(self.user) != bool(self.password):
            given, missing = (
                ("MONITOR_SMTP_USER", "MONITOR_SMTP_PASSWORD")
                if self.user
                else ("MONITOR_SMTP_PASSWORD", "MONITOR_SMTP_USER")
            )
            raise NotifyError(
                f"{given} is set but {missing} is not: set both for a server that asks for a "
                "login, or neither"
            )

    def _deliver(self, mail: EmailMessage) -> str:
        """One attempt: connect, send, hang up; the Message-ID once the server took it."""
        try:
            smtp = Smtp(self.table.smtp_host, self.table.smtp_port, timeout=self.table.timeout)
        except socket.gaierror as exc:
            raise NotifyError(
                f"cannot find the SMTP server {self.table.smtp_host} ({exc.strerror}): check "
                "smtp_host in the [email] table of sources.toml"
            ) from exc
        except smtplib.SMTPConnectError as exc:
            raise self._answer(exc, "greeted the connection with") from exc
        except OSError as exc:
            raise _Transient(
                f"cannot connect to the SMTP server {self.server} ({_reason(exc)})",
                "check smtp_host and smtp_port in the [email] table of sources.toml and that "
                "this machine may reach the server",
            ) from exc
        try:
            self._session(smtp, mail)
        finally:
            _close(smtp)
        return str(mail["Message-ID"])

    def _session(self, smtp: smtplib.SMTP, mail: EmailMessage) -> None:
        try:
            smtp.ehlo_or_helo_if_needed()
            if self.table.starttls:
                self._starttls(smtp)
            if self.user:
                self._login(smtp)
            refused = smtp.send_message(mail)
        except smtplib.SMTPSenderRefused as exc:
            raise self._sender_refused(exc) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise self._recipients_refused(exc.recipients) from exc
        except smtplib.SMTPDataError as exc:
            raise self._answer(exc, "refused the message with") from exc
        except smtplib.SMTPResponseException as exc:
            raise self._answer(exc, "answered") from exc
        except smtplib.SMTPServerDisconnected as exc:
            raise _Transient(
                f"the SMTP server {self.server} closed the connection before it accepted the "
                f"digest ({exc})",
                "try again later; the next send delivers it",
            ) from exc
        except smtplib.SMTPException as exc:  # no answer code: smtplib's own words
            raise NotifyError(f"the SMTP server {self.server}: {exc}") from exc
        except TimeoutError as exc:
            raise _Transient(
                f"the SMTP server {self.server} did not answer within {self.table.timeout:g} "
                "seconds",
                "try again later, or raise timeout in the [email] table of sources.toml",
            ) from exc
        except OSError as exc:
            raise _Transient(
                f"the connection to the SMTP server {self.server} broke ({_reason(exc)})",
                "try again later; the next send delivers it",
            ) from exc
        if refused:  # some recipients took it: sending again would give them a second copy
            log.warning(
                "the SMTP server %s delivered the digest but refused %s",
                self.server,
                _refusals(refused),
            )

    def _starttls(self, smtp: smtplib.SMTP) -> None:
        if not smtp.has_extn("starttls"):
            raise NotifyError(
                f"the SMTP server {self.server} does not offer STARTTLS, so the digest and any "
                "password would travel unencrypted: use the server's submission port (usually "
                "587) with STARTTLS, or set starttls = false in the [email] table of "
                "sources.toml only for a local relay"
            )
        try:
            smtp.starttls(context=self.ssl_context or ssl.create_default_context())
        except ssl.SSLCertVerificationError as exc:
            raise NotifyError(
                f"the certificate of the SMTP server {self.server} could not be verified "
                f"({exc.verify_message}): check that smtp_host is the name the certificate "
                "was issued for, or ask the mail administrators"
            ) from exc
        except ssl.SSLError as exc:
            raise NotifyError(
                f"could not encrypt the connection to the SMTP server {self.server} "
                f"({exc.reason or exc}): ask the mail administrators which port and "
                "encryption to use"
            ) from exc
        smtp.ehlo_or_helo_if_needed()  # the server's features anew, now encrypted

    def _login(self, smtp: smtplib.SMTP) -> None:
        if not smtp.has_extn("auth"):
            unencrypted = "" if self.table.starttls else " on an unencrypted connection"
            raise NotifyError(
                f"the SMTP server {self.server} offers no login{unencrypted}, but "
                "MONITOR_SMTP_USER is set: unset MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD "
                "if the server needs no login"
                + ("" if self.table.starttls else ", or set starttls = true")
            )
        try:
            smtp.login(self.user or "", self.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            if _temporary(exc.smtp_code):
                raise self._answer(exc, "could not check the login and answered") from exc
            raise NotifyError(
                self._scrub(
                    f"the SMTP server {self.server} refused the login of {self.user!r} "
                    f"({_said(exc)}): check MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD"
                )
            ) from exc

    def _sender_refused(self, exc: smtplib.SMTPSenderRefused) -> Exception:
        if exc.smtp_code == 530 and not self.user:
            return NotifyError(
                f"the SMTP server {self.server} asks for a login, but none is set: {LOGIN_ADVICE}"
            )
        if _temporary(exc.smtp_code):
            return self._answer(exc, "did not take the sender address now and answered")
        return NotifyError(
            self._scrub(
                f"the SMTP server {self.server} refused the sender address "
                f"{_text(exc.sender)} ({_said(exc)}): check `from` in the [email] table of "
                "sources.toml; servers often accept only their own domain's addresses"
            )
        )

    def _recipients_refused(self, recipients: dict[str, tuple[int, bytes]]) -> Exception:
        if all(_temporary(code) for code, _ in recipients.values()):
            return _Transient(
                f"the SMTP server {self.server} could not take the recipients now "
                f"({_refusals(recipients)})",
                "try again later; the next send delivers it",
            )
        return NotifyError(
            self._scrub(
                f"the SMTP server {self.server} refused every recipient: "
                f"{_refusals(recipients)}: check `to` in the [email] table of sources.toml"
            )
        )

    def _answer(self, exc: smtplib.SMTPResponseException, did: str) -> Exception:
        """A 4xx answer to be retried, or a 5xx one as the error to show."""
        said = f"the SMTP server {self.server} {did} {_said(exc)}"
        if _temporary(exc.smtp_code):
            return _Transient(said, "try again later; the next send delivers it")
        return NotifyError(
            self._scrub(f"{said}: the digest was not sent; ask the mail administrators why")
        )

    def _scrub(self, text: str) -> str:
        """The text without the password, however a server might have echoed it back."""
        if not self.password:
            return text
        user = self.user or ""
        forms = [
            self.password,
            base64.b64encode(self.password.encode()).decode(),
            base64.b64encode(f"\0{user}\0{self.password}".encode()).decode(),
        ]
        for form in forms:
            text = text.replace(form, "***")
        return text


def _close(smtp: smtplib.SMTP) -> None:
    """QUIT politely; a server that already hung up changes nothing about what was sent."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _temporary(code: int) -> bool:
    return 400 <= code < 500


def _said(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}".strip()


def _refusals(recipients: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{to} ({code} {_text(said)})" for to, (code, said) in recipients.items())


def _text(said: bytes | str) -> str:
    text = said.decode("utf-8", "replace") if isinstance(said, bytes) else said
    return " ".join(text.split())


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _domain(sender: str) -> str:
    """The domain of the From address, for Message-IDs (ASCII, as a header needs)."""
    domain = parseaddr(sender)[1].rpartition("@")[2].strip() or "localhost"
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain.encode("ascii", "replace").decode("ascii").replace("?", "-")


class _Kind:
    """The e-mail notifier for the registry (notify/registry.py)."""

    def configured(self, config: Config) -> bool:
        return config.email.configured

    def setup_hint(self, config: Config) -> str:
        return SETUP_HINT

    def waits_for(self, config: Config, mode: str) -> str | None:
        return None  # the login is optional: without [email] it was taken out

    def make(self, config: Config, words: Words, retry: RetryPolicy | None) -> EmailNotifier:
        if config.email.table is None:
            raise NotifyError(f"e-mail is not set up: {SETUP_HINT}")
        return EmailNotifier(
            config.email.table,
            user=config.email.user,
            password=config.email.password,
            retry=retry or usual(),
        )


KIND = _Kind()
