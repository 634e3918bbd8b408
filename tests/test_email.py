"""The digest by e-mail, through a real SMTP server on this machine (aiosmtpd): one
multipart/alternative message with every call linked in both parts, a Swedish subject, nothing
a source wrote turned into markup or a link, and plain advice when the server will not take it."""

from __future__ import annotations

import dataclasses
import re
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from helpers.long_digest import SCRIPT_TITLE, document, hostile
from helpers.sample_digests import digest_of, item
from helpers.smtp_server import HOST, SmtpServer
from monitor.config import EmailTable, load_config
from monitor.digest.compose import compose
from monitor.digest.document import DigestDocument
from monitor.errors import NotifyError
from monitor.notify import registry
from monitor.notify.email import KIND, EmailNotifier
from monitor.notify.i18n import Words
from monitor.notify.retry import RetryPolicy
from monitor.notify.smtp_login import Smtp
from monitor.sources.kinds import KINDS

# The test server asks for a login over plain text (no certificate needed); aiosmtpd warns.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

PASSWORD = "hemligt-lösen-4711"


def table(server: SmtpServer, **changes: object) -> EmailTable:
    values: dict[str, object] = {
        "smtp_host": HOST,
        "smtp_port": server.port,
        "sender": "EU-bevakning <eu-bevakning@kommun.se>",
        "to": ("internationella-gruppen@kommun.se", "naringsliv@kommun.se"),
        "starttls": False,
        "timeout": 10.0,
    }
    return dataclasses.replace(EmailTable(**values), **changes)  # type: ignore[arg-type]


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with SmtpServer() as running:
        yield running


def notifier(server: SmtpServer, waits: list[float], **kwargs: object) -> EmailNotifier:
    return EmailNotifier(table(server), retry=RetryPolicy(sleep=waits.append), **kwargs)  # type: ignore[arg-type]


def send(notifier: EmailNotifier, doc: DigestDocument | None = None) -> str:
    (message,) = notifier.render(doc or document())
    return notifier.send(message, None)


def test_a_long_digest_arrives_as_one_message_with_every_call_linked_in_both_parts(server, waits):
    doc = document(120)
    receipt = send(notifier(server, waits), doc)

    (got,) = server.received
    mail = got.message
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    text, body = plain.get_content(), html.get_content()
    hrefs = set(re.findall(r'<a href="([^"]+)"', body))
    for n in range(120):
        assert f"https://ec.europa.eu/calls/{n}" in hrefs
        assert f"(https://ec.europa.eu/calls/{n})" in text
    assert body.count("<h2") == 5  # the four areas and the Kanske också list
    assert str(mail["Message-ID"]) == receipt
    assert got.rcpt_tos == ["internationella-gruppen@kommun.se", "naringsliv@kommun.se"]
    assert "naringsliv@kommun.se" in str(mail["To"])


def test_a_composed_digest_arrives_with_every_call_in_both_parts_and_its_subject(server, waits):
    areas = ["klimat-miljo", "utbildning", "kultur"]
    calls = {a: [item(n, a) for n in range(i * 40, i * 40 + 40)] for i, a in enumerate(areas)}
    send(notifier(server, waits), compose(digest_of(new_by_area=calls), Words("sv")))

    mail = server.received[0].message
    assert mail["Subject"] == "EU-bevakning vecka 48: 120 nya utlysningar"
    body = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    for n in range(120):
        url = f"https://ec.europa.eu/topic-details/CALL-{n}"
        assert f'<a href="{url}"' in body and f"({url})" in text


def test_the_swedish_subject_is_encoded_for_transport_and_reads_as_written(server, waits):
    doc = document(3)
    subject = "EU-bevakning vecka 49: 3 nya utlysningar – för kommunerna"
    doc = dataclasses.replace(document(3), subject=subject)
    send(notifier(server, waits), doc)

    (got,) = server.received
    header = got.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit headers on the wire
    assert "=?utf-8?" in header
    assert got.message["Subject"] == subject


def test_scraped_markup_and_a_javascript_url_survive_in_neither_part(server, waits):
    send(notifier(server, waits), document(2, extra=(hostile(),)))

    mail = server.received[0].message
    body = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "<script" not in body.lower() and "<b>cities" not in body and "<i>" not in body
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; Smart &lt;b&gt;cities&lt;/b&gt; &amp; towns" in body
    )
    assert "javascript:" not in body
    # Plain text has no markup: the title reads as the source wrote it, but not as a link.
    assert f"  - {SCRIPT_TITLE}\n" in text
    assert "javascript:" not in text


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_that_asks_for_a_login_gets_it_with_swedish_letters_too(mechanism, waits):
    with SmtpServer(logins={"eu-bevakning": PASSWORD}, mechanisms={mechanism}) as server:
        send(notifier(server, waits, user="eu-bevakning", password=PASSWORD))
        assert [r.login for r in server.received] == ["eu-bevakning"]


def test_cram_md5_answers_as_rfc_2195_shows_and_takes_any_password():
    smtp = Smtp()  # not connected: only the answer to a challenge is computed
    smtp.user, smtp.password = "tim", "tanstaaftanstaaf"
    challenge = b"<1896.697170952@postoffice.reston.mci.net>"
    assert smtp.auth_cram_md5(challenge) == "tim b913a602c7eda7a495b4e6e7334d3890"
    smtp.password = PASSWORD
    assert smtp.auth_cram_md5(challenge) != "tim b913a602c7eda7a495b4e6e7334d3890"


def test_a_login_asked_for_but_not_set_gets_the_plain_advice(waits):
    with SmtpServer(logins={"eu-bevakning": PASSWORD}) as server:
        with pytest.raises(NotifyError) as raised:
            send(notifier(server, waits))
        assert server.received == []
    message = str(raised.value)
    assert f"{HOST}:{server.port} asks for a login" in message
    assert "set MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD" in message
    assert waits == []  # no point in asking again


def test_a_wrong_password_is_a_plain_error_that_does_not_show_it(waits):
    wrong = "fel-lösen-1234"
    with SmtpServer(logins={"eu-bevakning": PASSWORD}) as server:
        with pytest.raises(NotifyError) as raised:
            send(notifier(server, waits, user="eu-bevakning", password=wrong))
        assert server.received == []
    message = str(raised.value)
    assert "refused the login of 'eu-bevakning'" in message
    assert "check MONITOR_SMTP_USER and MONITOR_SMTP_PASSWORD" in message
    assert wrong not in message and wrong not in repr(raised.value.__cause__)
    assert waits == []


def test_half_a_login_is_refused_before_connecting(server, waits):
    with pytest.raises(NotifyError, match="MONITOR_SMTP_USER is set but MONITOR_SMTP_PASSWORD"):
        send(notifier(server, waits, user="eu-bevakning"))
    assert server.data_seen == 0


def test_a_451_is_retried_without_waiting_and_delivered_once(server, waits):
    server.answer_next("451 4.3.0 try again later")
    send(notifier(server, waits))
    assert len(server.received) == 1
    assert len(waits) == 1  # one wait, handed to the policy's sleep rather than slept


def test_a_550_is_an_error_naming_the_servers_answer(server, waits):
    server.answer_next("550 5.7.1 message rejected as spam")
    with pytest.raises(NotifyError) as raised:
        send(notifier(server, waits))
    assert "550 5.7.1 message rejected as spam" in str(raised.value)
    assert f"{HOST}:{server.port}" in str(raised.value)
    assert server.received == [] and server.data_seen == 1  # not tried again
    assert waits == []


def test_a_server_that_keeps_saying_451_gives_up_after_the_policys_retries(server, waits):
    server.answer_next(*["451 4.3.0 busy"] * 10)
    email = EmailNotifier(table(server), retry=RetryPolicy(retries=2, sleep=waits.append))
    with pytest.raises(NotifyError, match=r"451 4\.3\.0 busy after 3 attempts: try again later"):
        send(email, document(1))
    assert server.data_seen == 3 and server.received == []
    # RetryPolicy.wait, as Slack and Teams wait: 0.5 s doubled, plus under a second of jitter
    first, second = waits
    assert 0.5 <= first < 1.5 and 1 <= second < 2


def test_a_dropped_connection_is_retried_and_the_digest_delivered_once(server, waits):
    server.drop_next()
    receipt = send(notifier(server, waits))
    assert server.data_seen == 2
    assert [str(r.message["Message-ID"]) for r in server.received] == [receipt]


def test_a_resend_of_the_recorded_message_carries_the_same_message_id(server, waits):
    email = notifier(server, waits)
    (message,) = email.render(document(3))
    first = email.send(message, None)
    again = email.send(message, None)
    assert first == again
    ids = [str(r.message["Message-ID"]) for r in server.received]
    assert ids == [first, first]
    assert first.endswith("@kommun.se>")
    (other,) = email.render(document(3))
    assert other.payload["message_id"] != message.payload["message_id"]


def test_refused_recipients_are_named(server, waits):
    for address in table(server).to:
        server.refuse_recipient(address, "550 5.1.1 no such mailbox")
    with pytest.raises(NotifyError) as raised:
        send(notifier(server, waits))
    message = str(raised.value)
    assert "internationella-gruppen@kommun.se (550 5.1.1 no such mailbox)" in message
    assert "naringsliv@kommun.se" in message and "check `to`" in message


def test_one_refused_recipient_does_not_stop_the_others(server, waits, caplog):
    server.refuse_recipient("naringsliv@kommun.se")
    send(notifier(server, waits))
    assert server.received[0].rcpt_tos == ["internationella-gruppen@kommun.se"]
    assert "refused naringsliv@kommun.se (550 5.1.1 no such user)" in caplog.text


def test_no_server_listening_says_where_it_tried(waits):
    with SmtpServer() as gone:
        port = gone.port
    email = EmailNotifier(table(gone), retry=RetryPolicy(retries=1, sleep=waits.append))
    with pytest.raises(NotifyError) as raised:
        email.send(email.render(document(1))[0], None)
    message = str(raised.value)
    assert f"cannot connect to the SMTP server {HOST}:{port}" in message
    assert "check smtp_host and smtp_port" in message
    assert len(waits) == 1


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_pair(ca: trustme.CA) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(server_side)
    client_side = ssl.create_default_context()
    ca.configure_trust(client_side)
    return server_side, client_side


def test_starttls_then_login(ca, waits):
    server_side, client_side = tls_pair(ca)
    with SmtpServer(logins={"eu-bevakning": PASSWORD}, tls=server_side) as server:
        email = EmailNotifier(
            table(server, starttls=True),
            user="eu-bevakning",
            password=PASSWORD,
            retry=RetryPolicy(sleep=waits.append),
            ssl_context=client_side,
        )
        send(email)
        assert [r.login for r in server.received] == ["eu-bevakning"]


def test_a_certificate_from_an_unknown_authority_is_refused(ca, waits):
    server_side, _ = tls_pair(ca)
    with SmtpServer(tls=server_side) as server:
        email = EmailNotifier(table(server, starttls=True), retry=RetryPolicy(sleep=waits.append))
        with pytest.raises(NotifyError, match="could not be verified"):
            send(email)
        assert server.received == []


def test_starttls_not_offered_says_to_turn_it_off_only_for_a_local_relay(server, waits):
    email = EmailNotifier(table(server, starttls=True), retry=RetryPolicy(sleep=waits.append))
    with pytest.raises(NotifyError) as raised:
        send(email)
    assert "does not offer STARTTLS" in str(raised.value)
    assert "starttls = false" in str(raised.value) and "only for a local relay" in str(raised.value)
    assert server.received == []


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_kind_is_configured_by_an_email_table(tmp_path):
    bare = load_config(config_file(tmp_path, ""), environ={}, kinds=KINDS, with_sources=False)
    assert registry.kind("email") is KIND
    assert not KIND.configured(bare)
    assert "[email]" in KIND.setup_hint(bare) and "smtp_host, from and to" in KIND.setup_hint(bare)

    path = config_file(
        tmp_path,
        '[email]\nsmtp_host = "smtp.kommun.se"\nfrom = "EU-bevakning <eu@kommun.se>"\n'
        'to = ["grupp@kommun.se"]\n',
    )
    env = {"MONITOR_SMTP_USER": "eu", "MONITOR_SMTP_PASSWORD": PASSWORD}
    config = load_config(path, environ=env, kinds=KINDS, with_sources=False)
    assert KIND.configured(config)
    made = KIND.make(config, Words("sv"), None)
    assert (made.name, made.mode, made.records) == ("email", "smtp", True)
    assert made.server == "smtp.kommun.se:587" and made.user == "eu"
    assert PASSWORD not in repr(made)
