"""Kind `rss`: feeds of every version parsed from fixture bytes, and through the pipeline."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import document_site
from helpers.document_site import Site, config_text, fixture
from monitor.config import load_config
from monitor.errors import ConfigError, FetchError
from monitor.sources.document import Document, ParseContext
from monitor.sources.kinds import KINDS
from monitor.sources.rss import RssOptions, cut_short, parse_feed

TODAY = date(2024, 5, 21)
TVV_FEED = "https://tillvaxtverket.se/4.3409dae11877922a04096d8d/12.3409dae11877922a04096da6.portlet?state=rss&sv.contenttype=text/xml;charset=UTF-8"
TVV_CALL = (
    "https://tillvaxtverket.se/tillvaxtverket/sokfinansiering/utlysningar/utlysningar/"
    "utvecklafardigheterforsmartspecialiseringiostramellansverige.6480.html"
)
EUFONDER = "https://eufonder.se/aktuellt/nyheter/nyheter/2022-12-28-31-nya-projekt-inom-central-baltic.html"
RSS = "application/rss+xml"


def parse(
    body: bytes, *, category="news", url="https://eurocities.eu/feed/", kind=RSS, charset=None
):
    context = ParseContext("feed", RssOptions(url=url, category=category), TODAY)
    return parse_feed(Document(url, body, kind, charset), context)


def _rss(channel: str, head: str = "") -> bytes:
    """An RSS 2.0 document around `channel`'s inside, with `head` (a DOCTYPE) before it."""
    rss = f'<rss version="2.0"><channel>{channel}</channel></rss>'
    return f'<?xml version="1.0"?>\n{head}\n{rss}'.encode()


# -- formats -----------------------------------------------------------------------------------


def test_a_wordpress_feed_cut_off_mid_item_still_gives_its_complete_entry():
    (item,) = parse(
        fixture("rss", "cpmr_news_wordpress_feed_excerpt.xml"), url="http://news.crpm.org/feed/"
    )
    assert item.uid == "http://news.crpm.org/?p=4849"
    assert item.kind == "news" and item.status is None and item.deadline is None
    assert (
        item.title == "CPMR proposes discussions on new international fund for environmental damage"
    )
    assert item.url.startswith("http://news.crpm.org/cpmr-news/maritime-cpmr/cpmr-proposes-")
    assert item.published == datetime(2016, 11, 23, 16, 50, 22, tzinfo=UTC)
    assert item.summary.startswith("The CPMR was an observer at the IOPC")
    assert item.keywords == ("CPMR News", "Maritime issues", "Environmental damage", "IOPC")
    assert item.language == "en"


def test_rss2_wordpress_feed():
    items = parse(fixture("rss", "eurocities_feed.xml"))
    assert [i.uid for i in items] == [
        "https://eurocities.eu/?p=21034",
        "https://eurocities.eu/?p=20988",
        "https://eurocities.eu/?p=20901",
    ]
    first, _, prague = items
    assert first.title == "Cities: “Talk with us!”"
    assert first.summary.startswith("Cities have so far not been sufficiently involved")
    assert "<p>" not in first.summary
    assert first.published == datetime(2021, 1, 25, 9, 0, tzinfo=UTC)
    # A relative link resolves against the feed's address.
    assert (
        prague.url
        == "https://eurocities.eu/latest/waste-not-want-not-why-prague-is-cleaning-up-waste/"
    )


def test_atom_feed():
    items = parse(
        fixture("rss", "interreg_baltic_news.atom"), url="https://interreg-baltic.eu/feed/atom/"
    )
    first, second = items
    assert first.uid == "https://interreg-baltic.eu/?p=48211"
    assert first.title == "Enhancing Mental Health: Fostering Well-Being in the Baltic Sea Region"
    assert first.published == datetime(2024, 3, 1, 8, 30, tzinfo=UTC)  # +01:00 read as an instant
    assert first.keywords == ("Projects",)
    assert (
        second.url
        == "https://interreg-baltic.eu/news/more-projects-help-implement-the-eusbsr-action-plan/"
    )
    assert second.published == datetime(2024, 2, 20, 10, 0, tzinfo=UTC)  # only <updated>


def test_rss1_rdf_feed():
    items = parse(fixture("rss", "skr_nyheter.rdf"), url="https://skr.se/rss.rdf")
    assert [i.title for i in items] == [
        "Oroande slapp hantering av EU:s minimilönedirektiv",
        "37 fler kommuner och regioner med i Glokala Sverige",
    ]
    assert items[0].uid == items[0].url  # no guid in RSS 1.0: the link is the identity
    assert items[0].published == datetime(2021, 3, 24, 7, 15, tzinfo=UTC)
    assert items[0].language == "sv"


def test_rss091_with_netscape_entities_in_latin1():
    (item,) = parse(
        fixture("rss", "ec_representation_rss091.xml"), kind="text/xml", charset="iso-8859-1"
    )
    assert item.title == "Europeiska forskningsrådet och Event Horizon Telescope"
    assert "för att presentera banbrytande forskningsresultat från EHT" in item.summary
    assert item.published is None


def test_a_valid_feed_without_items_is_empty_not_an_error():
    body = _rss("<title>Utlysningar</title>")
    assert parse(body) == []


# -- calls -------------------------------------------------------------------------------------


def test_a_call_feed_without_dates_gives_calls_without_deadlines():
    (item,) = parse(fixture("rss", "tillvaxtverket_utlysningar.rss"), category="call", url=TVV_FEED)
    assert item.kind == "call"
    assert item.uid == TVV_CALL and item.url == TVV_CALL
    assert item.title == "Utveckla färdigheter för smart specialisering i Östra Mellansverige"
    assert (item.deadlines, item.deadline, item.status, item.source_status) == (
        (),
        None,
        None,
        None,
    )
    assert item.language == "sv"


def test_a_call_teaser_with_dates_gives_deadline_and_status():
    body = _rss("""<title>Bidrag</title>
    <item><title>Projekt för att öka ungas delaktighet</title>
    <link>https://www.mucf.se/bidrag/projekt-att-oka-ungas-delaktighet</link>
    <description>Ansökningarna öppnar inom kort och stänger 1 oktober 2024 klockan 12.00.
    </description>
    <pubDate>Mon, 02 Sep 2024 08:00:00 +0200</pubDate></item>
    <item><title>Kommunalt partnerskap</title>
    <link>https://icld.se/artikel/dags-att-ansoka-om-kommunalt-partnerskap/</link>
    <description>Ansökan för våren 2022 stänger 15 oktober.</description>
    <pubDate>Wed, 01 Sep 2021 08:00:00 +0200</pubDate></item>
    <item><title>Skrivarstöd till projekt inom natur och biologisk mångfald</title>
    <link>https://www.naturvardsverket.se/bidrag/life/skrivarstod/</link>
    <description>Det finns möjlighet att ansöka om skrivarstöd.</description>
    <content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/"><![CDATA[<p>
    Ansökningstiden är öppen fram till och med den 14 februari 2022.</p>]]></content:encoded>
    </item>""")
    mucf, icld, life = parse(body, category="call", url="https://www.mucf.se/rss")
    assert (mucf.deadline, mucf.source_status, mucf.status) == (
        date(2024, 10, 1),
        "forthcoming",
        "forthcoming",
    )
    # No year in the teaser: the one nearest the item's publication.
    assert (icld.deadline, icld.source_status, icld.status) == (
        date(2021, 10, 15),
        "open",
        "closed",
    )
    # The full text (content:encoded) is read for dates too, but not stored.
    assert life.deadline == date(2022, 2, 14)
    assert life.summary == "Det finns möjlighet att ansöka om skrivarstöd."


# -- not a feed ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "kind", "why"),
    [
        (
            fixture("html", "region_ostergotland_aktuellt.html"),
            "text/html",
            "det är en HTML-sida (text/html)",
        ),
        (b'{"items": []}', "application/json", "application/json"),
        (b"\x00\x01\x02garbage\xff\xfe", "application/octet-stream", "not well-formed"),
        (b"<note><to>Tove</to></note>", "application/xml", "inget rss-, RDF- eller feed-element"),
        (
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>Utlysn',
            RSS,
            "(application/rss+xml)",
        ),
    ],
    ids=["html", "json", "garbage", "other-xml", "cut-before-any-item"],
)
def test_a_document_that_is_not_a_feed_is_a_plain_error(body, kind, why):
    with pytest.raises(FetchError, match="svaret är inte ett RSS- eller Atom-flöde") as error:
        parse(body, kind=kind)
    assert why in str(error.value)


def test_an_empty_answer_is_an_error():
    with pytest.raises(FetchError, match="tomt"):
        parse(b"  \n")


def test_bytes_that_name_a_file_are_not_opened_as_one(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text(
        '<rss version="2.0"><channel><item><title>secret</title></item></channel></rss>'
    )
    with pytest.raises(FetchError):
        parse(str(secret).encode())


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    head = "<!DOCTYPE rss [\n" + "\n".join(entities) + "\n]>"
    return _rss("<title>&lol9;</title><item><title>&lol9;</title></item>", head)


def _quadratic_blowup() -> bytes:
    # One 200 kB entity referenced 20,000 times: 4 GB once expanded. feedparser's fallback
    # parser expands it (expat refuses), so the kind must refuse the declaration itself.
    head = f'<!DOCTYPE rss [\n<!ENTITY a "{"x" * 200_000}">\n]>'
    refs = "&a;" * 20_000
    return _rss(f"<title>t</title><item><title>{refs}</title></item>", head)


def _external_entity() -> bytes:
    head = '<!DOCTYPE rss [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>'
    return _rss("<item><title>&x;</title></item>", head)


@pytest.mark.parametrize(
    "body",
    [_billion_laughs(), _quadratic_blowup(), _external_entity()],
    ids=["billion-laughs", "quadratic", "external"],
)
def test_an_entity_bomb_is_refused_at_once(body, monkeypatch):
    # "At once": before feedparser ever sees it (no clock: a test must not time the machine).
    def never(*args, **kwargs):
        raise AssertionError("the feed was parsed")

    monkeypatch.setattr("monitor.sources.rss.feedparser.parse", never)
    with pytest.raises(FetchError, match="deklarerar egna XML-entiteter"):
        parse(body)


def test_an_entity_declaration_hidden_behind_a_comment_is_found():
    body = _quadratic_blowup().decode().replace("<!DOCTYPE", "<!-- <rss> -->\n<!DOCTYPE", 1)
    with pytest.raises(FetchError, match="deklarerar egna XML-entiteter"):
        parse(body.encode())
    pi = _quadratic_blowup().decode().replace("<!DOCTYPE", "<?x <rss ?>\n<!DOCTYPE", 1)
    with pytest.raises(FetchError, match="deklarerar egna XML-entiteter"):
        parse(pi.encode())


def test_an_entity_declaration_hidden_in_utf16_is_found():
    with pytest.raises(FetchError, match="deklarerar egna XML-entiteter"):
        parse(
            _quadratic_blowup()
            .decode()
            .replace('"1.0"?>', '"1.0" encoding="utf-16"?>', 1)
            .encode("utf-16")
        )


def test_an_article_about_entities_is_not_a_declaration():
    cdata = '<![CDATA[Write <!ENTITY a "b"> in a DTD.]]>'
    body = _rss(f"<item><title>XML</title><description>{cdata}</description></item>")
    (item,) = parse(body)
    assert item.title == "XML" and item.summary.startswith("Write")


def test_embedded_html_becomes_words_apart_without_scripts():
    # An embed's text stays a word of its own (the sanitiser feedparser ran dropped the
    # tags of elements it found unsafe and glued their text to the next word) and a script
    # or style gives no text, as it did.
    description = (
        '<![CDATA[<p onclick="x()">Hello <a href="/x">link</a></p><script>alert(1)</script>'
        "<style>p{}</style><iframe>frame text</iframe><object>obj text</object>]]>"
    )
    body = _rss(f"<item><title>HTML</title><description>{description}</description></item>")
    (item,) = parse(body)
    assert item.summary == "Hello link frame text obj text"


# -- charsets ------------------------------------------------------------------------------------

_SWEDISH_FEED = """<?xml version="1.0"{decl}?><rss version="2.0"><channel>
<title>Tillväxtverket</title>
<item><title>Östra Mellansverige – smart specialisering</title><link>https://tillvaxtverket.se/a.html</link></item>
</channel></rss>"""


@pytest.mark.parametrize(
    ("decl", "encoding", "charset"),
    [
        (' encoding="iso-8859-1"', "cp1252", None),  # declared in the document; "–" is 0x96
        ("", "cp1252", None),  # declared nowhere
        ("", "cp1252", "utf-8"),  # declared wrongly by the server
        ("", "utf-8", "iso-8859-1"),  # UTF-8 served as Latin-1
        (' encoding="utf-8"', "utf-8", None),
    ],
    ids=["latin1-declared", "latin1-undeclared", "latin1-as-utf8", "utf8-as-latin1", "utf8"],
)
def test_swedish_text_survives_wrong_or_missing_charsets(decl, encoding, charset):
    body = _SWEDISH_FEED.format(decl=decl).encode(encoding)
    (item,) = parse(body, charset=charset)
    assert item.title == "Östra Mellansverige – smart specialisering"


# -- never a crash -------------------------------------------------------------------------------

_KINDS = st.sampled_from(
    [RSS, "application/atom+xml", "text/xml", "text/html", "", "application/json"]
)


@settings(max_examples=150)
@given(st.binary(max_size=2000), _KINDS, st.sampled_from([None, "utf-8", "iso-8859-1", "nonsense"]))
def test_any_bytes_give_items_or_a_fetch_error(body, kind, charset):
    try:
        items = parse(body, kind=kind, charset=charset)
    except FetchError:
        return
    assert all(i.uid and i.title for i in items)


@settings(max_examples=100)
@given(st.integers(min_value=0, max_value=len(fixture("rss", "eurocities_feed.xml"))), _KINDS)
def test_a_feed_cut_anywhere_gives_items_or_a_fetch_error(cut, kind):
    with contextlib.suppress(FetchError):
        parse(fixture("rss", "eurocities_feed.xml")[:cut], kind=kind)


def test_follow_without_category_call_is_a_config_error(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text(config_text({**EUROCITIES, "follow": True}), encoding="utf-8")
    with pytest.raises(ConfigError, match="source 'eurocities': 'follow': is for calls"):
        load_config(path, kinds=KINDS)


# -- through the pipeline ------------------------------------------------------------------------


@pytest.fixture
def pipeline(tmp_path):
    """(run, store) for a sources.toml of the given sources, served by `site`."""
    return lambda site, *sources: document_site.pipeline(tmp_path, site, TODAY, *sources)


@pytest.mark.parametrize(
    "name",
    [
        "eurocities_feed.xml",
        "interreg_baltic_news.atom",
        "skr_nyheter.rdf",
        "ec_representation_rss091.xml",
        "tillvaxtverket_utlysningar.rss",
    ],
)
def test_a_whole_feed_is_not_cut_short(name):
    body = fixture("rss", name)
    items = parse(body)
    assert items and cut_short(Document("https://example.se/feed", body, RSS, None), items) is None
    # a cache's comment after the root element is still a whole feed
    commented = body + b"\n<!-- Dynamic page generated in 0.412 seconds. -->\n"
    assert cut_short(Document("https://example.se/feed", commented, RSS, None), items) is None


def test_a_feed_cut_off_mid_item_is_read_and_said_to_be_cut():
    body = fixture("rss", "cpmr_news_wordpress_feed_excerpt.xml")
    document = Document("http://news.crpm.org/feed/", body, RSS, None)
    said = cut_short(document, parse(body, url="http://news.crpm.org/feed/"))
    assert said is not None
    assert "slutar före sin avslutande tagg" in said
    assert "de 1 posterna före avbrottet lästes" in said


EUROCITIES = {"id": "eurocities", "kind": "rss", "url": "https://eurocities.eu/feed/"}


def test_a_feed_cut_short_is_stored_as_far_as_it_goes_with_a_warning(pipeline):
    site = Site()
    whole = fixture("rss", "eurocities_feed.xml")
    # cut inside the third item, as a proxy's size limit would
    site.add("https://eurocities.eu/feed/", whole[: whole.rindex(b"<item>") + 200], RSS)
    run, store = pipeline(site, EUROCITIES)
    (outcome,) = run().outcomes
    # the item the cut ends in is left for the whole answer: its guid had not come, and
    # stored under its link it would become a second item then
    assert outcome.ok and outcome.items_new == 2
    assert outcome.warnings == [
        "flödet slutar före sin avslutande tagg (avbrutet på vägen?): de 2 posterna"
        " före avbrottet lästes; resten kommer med ett helt svar"
    ]
    site.pages["https://eurocities.eu/feed/"].body = whole
    (again,) = run().outcomes
    assert again.ok and again.warnings == [] and again.items_new == 1
    assert store.db.execute("SELECT count(*) FROM items").fetchone()[0] == 3


def test_a_feed_is_stored(pipeline):
    site = Site()
    site.add(
        "https://eurocities.eu/feed/",
        fixture("rss", "eurocities_feed.xml"),
        "application/rss+xml; charset=UTF-8",
    )
    run, store = pipeline(site, EUROCITIES)
    (outcome,) = run().outcomes
    assert outcome.ok, outcome.error
    assert (outcome.items_seen, outcome.items_new) == (3, 3)
    row = store.db["items"].get("eurocities:https://eurocities.eu/?p=21034")
    assert row["kind"] == "news" and row["status"] is None
    assert row["title"] == "Cities: “Talk with us!”"
    assert row["url"] == "https://eurocities.eu/latest/cities-talk-with-us/"
    assert row["published"] == "2021-01-25T09:00:00+00:00"
    assert row["language"] == "en"


def test_a_second_run_gets_304_and_parses_nothing(pipeline):
    site = Site()
    site.add("https://eurocities.eu/feed/", fixture("rss", "eurocities_feed.xml"), RSS, etag='"v1"')
    run, store = pipeline(site, EUROCITIES)
    run()
    before = list(store.db.query("SELECT * FROM items ORDER BY id"))
    site.pages["https://eurocities.eu/feed/"].body = b"not a feed: parsing it would fail"
    (outcome,) = run().outcomes
    assert outcome.ok and outcome.not_modified
    assert outcome.items_seen == 3 and outcome.items_new == 0
    assert site.requests[-1].headers["If-None-Match"] == '"v1"'
    assert list(store.db.query("SELECT * FROM items ORDER BY id")) == before


def test_follow_opens_each_new_calls_page_once(pipeline):
    site = Site()
    site.add(TVV_FEED, fixture("rss", "tillvaxtverket_utlysningar.rss"), "text/xml;charset=UTF-8")
    site.add(TVV_CALL, fixture("rss", "tillvaxtverket_utlysning_6480.html"))
    site.add(EUFONDER, fixture("rss", "eufonder_nyhet_central_baltic.html"))
    source = {
        "id": "tillvaxtverket",
        "kind": "rss",
        "url": TVV_FEED,
        "category": "call",
        "follow": True,
    }
    run, store = pipeline(site, source)

    (first,) = run().outcomes
    assert first.ok, first.error
    assert site.hits(TVV_CALL) == 1
    row = store.db["items"].get(f"tillvaxtverket:{TVV_CALL}")
    assert (row["kind"], row["deadline"], row["deadlines"]) == (
        "call",
        "2024-03-19",
        '["2024-03-19"]',
    )
    assert (row["source_status"], row["status"]) == ("closed", "closed")

    (second,) = run().outcomes
    assert second.ok and (second.items_new, second.items_changed) == (0, 0)
    assert site.hits(TVV_CALL) == 1  # not reopened
    assert store.db["items"].get(f"tillvaxtverket:{TVV_CALL}")["deadline"] == "2024-03-19"

    feed = fixture("rss", "tillvaxtverket_utlysningar.rss").decode()
    extra = (
        "<item><title>31 nya projekt inom Central Baltic</title>"
        f"<link>{EUFONDER}</link><guid>{EUFONDER}</guid></item>"
    )
    site.pages[TVV_FEED].body = feed.replace("</channel>", extra + "</channel>").encode()
    (third,) = run().outcomes
    assert third.items_new == 1
    assert (site.hits(TVV_CALL), site.hits(EUFONDER)) == (1, 1)
    assert store.db["items"].get(f"tillvaxtverket:{EUFONDER}")["deadline"] is None


def test_bad_feeds_fail_alone_and_lose_nothing(pipeline):
    site = Site()
    good = "https://eurocities.eu/feed/"
    site.add(good, fixture("rss", "eurocities_feed.xml"), RSS)
    site.add("https://skr.se/rss.html", fixture("html", "region_ostergotland_aktuellt.html"))
    site.add("https://bomb.example/feed/", _quadratic_blowup(), RSS)
    site.add(
        "https://cut.example/feed/",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ut',
        RSS,
    )
    latin1 = _SWEDISH_FEED.format(decl="").encode("cp1252")
    site.add("https://latin1.example/feed/", latin1, "application/rss+xml; charset=utf-8")
    sources = [
        EUROCITIES,
        {"id": "html-page", "kind": "rss", "url": "https://skr.se/rss.html"},
        {"id": "bomb", "kind": "rss", "url": "https://bomb.example/feed/"},
        {"id": "cut", "kind": "rss", "url": "https://cut.example/feed/"},
        {"id": "gone", "kind": "rss", "url": "https://gone.example/feed/"},
        {"id": "latin1", "kind": "rss", "url": "https://latin1.example/feed/"},
    ]
    run, store = pipeline(site, *sources)
    run()
    site.pages[good].body = b"<html>maintenance</html>"
    outcomes = {o.source: o for o in run().outcomes}
    assert not outcomes["eurocities"].ok and "HTML-sida" in outcomes["eurocities"].error
    assert "det är en HTML-sida (text/html)" in outcomes["html-page"].error
    assert "entitetsbomb" in outcomes["bomb"].error
    assert "inte ett RSS- eller Atom-flöde" in outcomes["cut"].error
    assert "HTTP 404" in outcomes["gone"].error
    assert outcomes["latin1"].ok
    assert store.db["items"].get("latin1:https://tillvaxtverket.se/a.html")["title"] == (
        "Östra Mellansverige – smart specialisering"
    )
    # The first run's good items are all still there.
    assert (
        store.db.execute("SELECT count(*) FROM items WHERE source = 'eurocities'").fetchone()[0]
        == 3
    )


def test_details_read_from_a_page_survive_later_runs_field_by_field(pipeline):
    """A page that gave only a status and an opening date keeps them; the call opens on time."""
    page = (
        "<!DOCTYPE html><html lang='sv'><body><main><h1>Stöd till lokala klimatinitiativ</h1>"
        "<p>Kommande</p><p>Öppnar 2024-10-01</p></main></body></html>"
    ).encode()
    call_url = "https://tillvaxtverket.se/tillvaxtverket/utlysningar/klimat.html"
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Utlysningar'
        f"</title><link>https://tillvaxtverket.se</link><description>x</description><item><title>"
        f"Stöd till lokala klimatinitiativ</title><link>{call_url}</link><guid>{call_url}</guid>"
        "</item></channel></rss>"
    ).encode()
    site = Site()
    site.add(TVV_FEED, feed, "text/xml;charset=UTF-8")
    site.add(call_url, page)
    source = {"id": "tvv", "kind": "rss", "url": TVV_FEED, "category": "call", "follow": True}
    run, store = pipeline(site, source)
    run(date(2024, 9, 1))
    row = store.db["items"].get(f"tvv:{call_url}")
    assert (row["status"], row["opening_date"]) == ("forthcoming", "2024-10-01")

    (again,) = run(date(2024, 9, 15)).outcomes
    assert again.items_changed == 0 and store.db["item_changes"].count == 0
    row = store.db["items"].get(f"tvv:{call_url}")
    assert (row["source_status"], row["opening_date"]) == ("forthcoming", "2024-10-01")

    run(date(2024, 10, 2))
    assert store.db["items"].get(f"tvv:{call_url}")["status"] == "open"
    assert site.hits(call_url) == 1  # the page was read once
