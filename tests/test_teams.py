"""The Teams notifier: the digest as Adaptive Cards within Teams' size limit, scraped text shown
as text, and sends to a local fake of a Workflows webhook that refuses, throttles and fails."""

from __future__ import annotations

import gc
import html
import json
import re
import warnings

import httpx
import pytest
from markdown_it import MarkdownIt

from helpers.fake_teams import MAX_MESSAGE, SIGNATURE, FakeTeams
from monitor.config import load_config
from monitor.digest.document import DigestDocument, Entry, Link, Section, Text
from monitor.errors import NotifyError
from monitor.notify import registry
from monitor.notify.adaptive_cards import MAX_BYTES, encode, teams_messages
from monitor.notify.base import AnswerLost, Message
from monitor.notify.i18n import Words
from monitor.notify.retry import RetryPolicy
from monitor.notify.teams import KIND, TeamsNotifier
from monitor.sources.kinds import KINDS

PORTAL = "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities"
# Teams on the desktop and the web renders card text as CommonMark; markdown-it is the parser
# the Adaptive Cards JavaScript renderer is usually given, so it stands in for Teams here.
COMMONMARK = MarkdownIt("commonmark", {"html": False})


def call(area: int, n: int) -> Entry:
    """A call as compose writes one: the linked title, then its facts, the why as the note."""
    ident = f"HORIZON-CL{area}-2027-D{n:03d}"
    return Entry(
        lines=(
            (Link(f"Living labs for reducing eutrophication, part {area}.{n}", _url(ident), True),),
            (Text(f"{ident} · HORIZON · öppen · Typ av insats: HORIZON-IA Innovation Actions"),),
            (Text("Öppnar 12 jan 2027 · Sista dag 8 apr 2027 kl. 17:00 (Bryssel) (om 135 dagar)"),),
            (Text("Vem kan söka: offentliga och privata organisationer; konsortier om 3 parter"),),
            (Text("Budget: 30 mn € totalt · 5–6 mn € per projekt · cirka 5 projekt får stöd"),),
            (Text("Living labs will co-create solutions that cut nutrient losses from farming."),),
        ),
        mentions=((Link("Interreg Östersjön öppnar ansökan", f"https://interreg-baltic.eu/{n}"),),),
        mentions_label="Nämns i:",
        note="Varför: biodiversity, eutrophication · Källa: EU Funding & Tenders Portal",
        item_id=ident,
    )


def _url(ident: str) -> str:
    return f"{PORTAL}/topic-details/{ident.lower()}"


def document(sections: tuple[Section, ...], language: str = "sv") -> DigestDocument:
    return DigestDocument(
        title="EU-bevakning vecka 49",
        subject="EU-bevakning vecka 49: 300 nya utlysningar",
        language=language,
        week=49,
        overview=(
            (Text("Nytt sedan 1 dec 2026."),),
            (Text("Nya utlysningar: ", strong=True), Text("300")),
        ),
        sections=sections,
    )


def area(a: int, calls: int) -> Section:
    entries = tuple(call(a, n) for n in range(calls))
    return Section(f"area:omr{a}", f"Område {a}: {calls} nya utlysningar", entries, area=f"omr{a}")


def long_document(language: str = "sv") -> DigestDocument:
    maybe = Section(
        "maybe",
        "Kanske också",
        tuple(Entry(lines=((Link(f"Maybe {n}", _url(f"MAYBE-{n}")),),)) for n in range(40)),
        compact=True,
    )
    return document((*(area(a, 30) for a in range(10)), maybe), language)


def texts(cards: list) -> str:
    return "\n".join(text for card in cards for text in card.texts)


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def fake():
    with FakeTeams() as server:
        yield server


def notifier(url: str, waits: list[float], language: str = "sv") -> TeamsNotifier:
    return TeamsNotifier(url, Words(language), RetryPolicy(retries=3, sleep=waits.append))


def send_all(teams: TeamsNotifier, messages: list[Message]) -> list[str]:
    return [teams.send(message, None) for message in messages]


# -- cards ----------------------------------------------------------------------------------


def test_a_long_digest_is_several_cards_each_taken_and_every_call_linked_once(fake, waits):
    doc = long_document()
    messages = teams_messages(doc, Words("sv"))

    receipts = send_all(notifier(fake.webhook_url, waits), messages)

    assert len(messages) > 11  # the top card, each area at least one, the maybe list
    assert fake.refused == [] and len(fake.cards) == len(messages)
    assert all(len(encode(m.payload)) <= MAX_BYTES for m in messages)
    assert len({m.key for m in messages}) == len(messages) == len(set(receipts))
    shown = texts(fake.cards)
    for section in doc.sections:
        for entry in section.entries:
            url = entry.lines[0][0].url
            assert shown.count(f"]({url})") == 1, url
    assert shown.count("](https://interreg-baltic.eu/") == 300  # each call's mention kept


def test_a_long_digest_gives_the_top_card_then_each_area_in_order_with_continuations():
    messages = teams_messages(long_document(), Words("sv"))

    keys = [m.key for m in messages]
    assert keys[0] == "card:1"
    assert keys[1:3] == ["card:area:omr0:1", "card:area:omr0:2"]
    assert keys[-1].startswith("card:maybe:")
    assert all(m.parent is None for m in messages)
    headings = [m.text for m in messages]
    assert headings[0] == "EU-bevakning vecka 49"
    assert headings[1] == "EU-bevakning vecka 49: Område 0: 30 nya utlysningar (1/2)"
    assert headings[2] == "EU-bevakning vecka 49: Område 0: 30 nya utlysningar (forts. 2/2)"
    card = messages[2].payload["attachments"][0]["content"]
    assert any("(forts. 2/2)" in block["text"] for block in card["body"])


def test_continuations_are_worded_in_english_for_an_english_digest():
    messages = teams_messages(long_document("en"), Words("en"))
    assert messages[2].text.endswith("(cont. 2/2)")


def test_a_short_digest_is_one_card_with_everything(fake, waits):
    doc = document((area(1, 3),))
    messages = teams_messages(doc, Words("sv"))

    send_all(notifier(fake.webhook_url, waits), messages)

    assert [m.key for m in messages] == ["card:1"]
    (card,) = fake.cards
    first = card.texts
    assert first[0] == "EU-bevakning vecka 49"
    assert "Nytt sedan 1 dec 2026.\n\n**Nya utlysningar:** 300" in first
    assert "Område 1: 3 nya utlysningar" in first
    assert texts([card]).count(f"]({PORTAL}/topic-details/") == 3
    body = card.card["body"]
    note = next(b for b in body if b["text"].startswith("Varför"))
    assert note["isSubtle"] is True and note["size"] == "Small"
    assert card.card["version"] == "1.4"


def test_a_call_named_by_hundreds_of_news_items_shows_fewer_mentions_and_still_fits(fake, waits):
    crowded = Entry(
        lines=((Link("A call everyone writes about", _url("X-1"), True),),),
        mentions=tuple(
            (Link(f"News item {n} " + "x" * 80, f"https://n.se/{n}"),) for n in range(600)
        ),
        mentions_label="Nämns i:",
    )
    doc = document((Section("area:a", "A: 1 ny utlysning", (crowded,), area="a"), area(2, 2)))

    messages = teams_messages(doc, Words("sv"))
    send_all(notifier(fake.webhook_url, waits), messages)

    assert fake.refused == []
    shown = texts(fake.cards)
    assert f"]({_url('X-1')})" in shown
    assert 10 < shown.count("](https://n.se/") < 600  # the best first, as many as fit


# -- scraped text -----------------------------------------------------------------------------

EVIL = Entry(
    lines=(
        (Link("**Gratis** pengar [evil](javascript:alert(1)) _nu_", "javascript:alert(1)", True),),
        (Text("- inte en lista"),),
        (Text("1. inte heller"),),
        (Text("Kontakt: <at>Anna Svensson</at> & <script>alert(1)</script> \\*"),),
        (Link("[klicka](https://evil.example)", "https://ok.example/a(b)"),),
    ),
    note="Varför: ~~fel~~ `kod` # rubrik",
)


def test_scraped_markup_arrives_as_text_and_only_http_links_are_links(fake, waits):
    doc = document((Section("area:a", "A: 1 ny utlysning", (EVIL,), area="a"),))

    send_all(notifier(fake.webhook_url, waits), teams_messages(doc, Words("sv")))

    raw = texts(fake.cards)
    assert "<at>" not in raw and "<script>" not in raw  # no mention Teams could resolve
    rendered = COMMONMARK.render(raw)
    links = re.findall(r'<a href="([^"]*)"', rendered)
    assert links == ["https://ok.example/a%28b%29"]  # the one http(s) link, nothing else
    for tag in ("<li>", "<ol>", "<ul>", "<em>", "<code>", "<h1>", "<del>", "<script"):
        assert tag not in rendered
    assert rendered.count("<strong>") == 1 + 1  # the overview's count and the title itself
    shown = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    for text in (
        "**Gratis** pengar [evil](javascript:alert(1)) _nu_",
        "- inte en lista",
        "1. inte heller",
        "Kontakt: <at>Anna Svensson</at> & <script>alert(1)</script> \\*",
        "[klicka](https://evil.example)",
        "Varför: ~~fel~~ `kod` # rubrik",
    ):
        assert text in shown


# -- sending ----------------------------------------------------------------------------------


def one_card() -> Message:
    return teams_messages(document((area(1, 1),)), Words("sv"))[0]


def test_a_rate_limit_is_waited_out_as_teams_asks_then_the_card_is_sent(fake, waits):
    fake.fail_next("ratelimited", retry_after=7)

    receipt = notifier(fake.webhook_url, waits).send(one_card(), None)

    assert receipt.startswith("teams-run-")
    assert len(fake.cards) == 1 and fake.requests == 2
    assert len(waits) == 1 and 7 <= waits[0] < 8


@pytest.mark.parametrize("drop", ["drop_answer", "drop"], ids=["after teams took it", "unknown"])
def test_a_connection_dropped_after_the_card_was_sent_is_not_posted_again(fake, waits, drop):
    fake.fail_next(drop)

    with pytest.raises(AnswerLost, match=r"answer never came \(ReadError\)"):
        notifier(fake.webhook_url, waits).send(one_card(), None)

    # Teams may have the card: one request, never a second one blind
    assert fake.requests == 1 and waits == []
    assert len(fake.cards) == (1 if drop == "drop_answer" else 0)


def test_a_connection_never_made_is_retried_and_the_card_sent_once(waits):
    tries: list[int] = []

    def refuse_once(request: httpx.Request) -> httpx.Response:
        tries.append(1)
        if len(tries) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(202, headers={"x-ms-workflow-run-id": "0858"})

    teams = TeamsNotifier(
        "https://teams.example/hook",
        Words("sv"),
        RetryPolicy(sleep=waits.append),
        transport=httpx.MockTransport(refuse_once),
    )
    assert teams.send(one_card(), None) == "teams-run-0858"
    assert len(tries) == 2 and len(waits) == 1 and 0.5 <= waits[0] < 1.5


def test_each_send_closes_its_connections(waits):
    with FakeTeams(keep_alive=True) as fake:
        sends_and_closes(fake, waits)


def sends_and_closes(fake: FakeTeams, waits: list[float]) -> None:
    transport = httpx.HTTPTransport()
    teams = TeamsNotifier(
        fake.webhook_url, Words("sv"), RetryPolicy(sleep=waits.append), transport=transport
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(2):
            teams.send(one_card(), None)
            # no socket is left for the garbage collector to find open
            assert transport._pool.connections == []
        del teams
        gc.collect()
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert len(fake.cards) == 2


def test_teams_failing_four_times_ends_in_plain_words_without_the_url(fake, waits):
    fake.fail_next("server_error", times=4)

    with pytest.raises(NotifyError) as raised:
        notifier(fake.webhook_url, waits).send(one_card(), None)

    message = str(raised.value)
    assert message.startswith("Teams could not take the card (HTTP 500")
    assert "send again later" in message
    assert SIGNATURE not in message and "127.0.0.1" not in message and "workflows" not in message
    assert fake.requests == 4 and fake.cards == []
    # RetryPolicy.wait: 0.5 s doubled per retry, plus under a second of jitter
    first, second, third = waits
    assert 0.5 <= first < 1.5 and 1 <= second < 2 and 2 <= third < 3


def test_an_unreachable_webhook_fails_in_plain_words_without_the_url(waits):
    with FakeTeams() as gone:
        url = gone.webhook_url  # the port is closed once the fake has stopped

    with pytest.raises(NotifyError) as raised:
        notifier(url, waits).send(one_card(), None)

    assert str(raised.value).startswith("could not reach Teams (ConnectError) after 4 attempts")
    assert SIGNATURE not in str(raised.value) and "127.0.0.1" not in str(raised.value)


def test_a_deleted_workflow_says_to_set_the_webhook_url_anew_without_retrying(fake, waits):
    fake.fail_next(404)

    with pytest.raises(NotifyError, match="set TEAMS_WEBHOOK_URL") as raised:
        notifier(fake.webhook_url, waits).send(one_card(), None)

    assert "wrong or expired, or its workflow is turned off" in str(raised.value)
    assert fake.requests == 1 and waits == []


def test_a_webhook_url_without_its_signature_gets_the_same_advice(fake, waits):
    unsigned = fake.webhook_url.replace(SIGNATURE, "old")

    with pytest.raises(NotifyError, match="set TEAMS_WEBHOOK_URL") as raised:
        notifier(unsigned, waits).send(one_card(), None)

    assert "DirectApiAuthorizationRequired" in str(raised.value)
    assert "sig=" not in str(raised.value) and "127.0.0.1" not in str(raised.value)


def test_a_card_over_the_size_limit_is_refused_and_said_so(fake, waits):
    huge = one_card()
    huge.payload["attachments"][0]["content"]["body"].append(
        {"type": "TextBlock", "text": "x" * MAX_MESSAGE}
    )

    with pytest.raises(NotifyError, match="too large") as raised:
        notifier(fake.webhook_url, waits).send(huge, None)

    assert "please report this" in str(raised.value)
    assert fake.refused == [(413, "MessageSizeExceeded")]


def test_a_failure_midway_leaves_the_cards_before_it_sent(fake, waits):
    messages = teams_messages(long_document(), Words("sv"))
    fake.fail_from(4, 500)
    teams = notifier(fake.webhook_url, waits)

    sent = []
    with pytest.raises(NotifyError):
        for message in messages:
            teams.send(message, None)
            sent.append(message.key)

    assert sent == [m.key for m in messages[:3]] and len(fake.cards) == 3


def test_the_fake_refuses_what_teams_refuses(fake):
    card = one_card().payload
    newer = json.loads(json.dumps(card))
    newer["attachments"][0]["content"]["version"] = "1.5"
    other = json.loads(json.dumps(card))
    other["attachments"][0]["contentType"] = "application/vnd.microsoft.card.hero"

    answers = [httpx.post(fake.webhook_url, json=body).status_code for body in (newer, other, {})]

    assert answers == [400, 400, 400] and fake.cards == []
    assert httpx.post(fake.webhook_url, json=card).status_code == 202


# -- the registry's kind ----------------------------------------------------------------------


def config(environ: dict[str, str]):
    return load_config(None, environ=environ, kinds=KINDS, with_sources=False)


def test_the_kind_is_configured_by_teams_webhook_url_alone(fake, waits):
    assert registry.kind("teams") is KIND
    without = config({})
    assert KIND.configured(without) is False
    assert "TEAMS_WEBHOOK_URL" in KIND.setup_hint(without)
    with pytest.raises(NotifyError, match="set TEAMS_WEBHOOK_URL"):
        KIND.make(without, Words("sv"), None)

    configured = config({"TEAMS_WEBHOOK_URL": fake.webhook_url})
    assert KIND.configured(configured) is True
    teams = KIND.make(configured, Words("sv"), RetryPolicy(sleep=waits.append))
    assert (teams.name, teams.mode, teams.records) == ("teams", "webhook", True)
    assert SIGNATURE not in repr(teams)
    for message in teams.render(document((area(1, 2),))):
        teams.send(message, None)
    assert len(fake.cards) == 1


def test_a_webhook_url_that_is_no_web_address_is_refused_when_made():
    with pytest.raises(NotifyError, match="not a web address"):
        KIND.make(config({"TEAMS_WEBHOOK_URL": "prod-12.logic.azure.com/x"}), Words("sv"), None)
