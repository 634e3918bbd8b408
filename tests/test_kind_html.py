"""Kind `html`: Sitevision and WordPress listing pages read with CSS selectors."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import document_site
from helpers.document_site import Site, config_text, fixture
from monitor.config import load_config
from monitor.errors import ConfigError, FetchError
from monitor.models import Item
from monitor.sources.callinfo import read_detail
from monitor.sources.document import Document, ParseContext
from monitor.sources.html_page import HtmlOptions, parse_page
from monitor.sources.kinds import KINDS

TODAY = date(2024, 5, 21)
RO_URL = (
    "https://utveckling.regionostergotland.se/ru/utvecklingsomraden/internationell-samverkan/"
    "eu-kontoret/aktuellt-fran-eu-kontoret"
)
RO = {"item": "li.sv-channel-item", "title": "h2", "summary": "p.normal"}
WORDPRESS = {
    "item": "article.post",
    "title": "h2.entry-title",
    "date": "time.entry-date",
    "summary": ".entry-summary",
}
FORMAS_LIST = "https://formas.se/soka-finansiering/alla-utlysningar.html"
FORMAS_CALL = (
    "https://formas.se/soka-finansiering/alla-utlysningar/utlysningar/"
    "2024-01-18-utforska---formas-oppna-utlysning-for-forskningsprojekt-2024.html"
)
HTML = "text/html"


def parse(body: bytes, url: str, *, charset: str | None = None, kind: str = HTML, **keys):
    context = ParseContext("page", HtmlOptions(url=url, **keys), TODAY)
    return parse_page(Document(url, body, kind, charset), context)


# -- listings ------------------------------------------------------------------------------------


def test_sitevision_news_listing():
    items = parse(fixture("html", "region_ostergotland_aktuellt.html"), RO_URL, **RO)
    assert [i.title for i in items] == [
        "Sveriges sista vecka som ordförande i Europeiska unionens råd",
        "Central Baltic-programmets tredje utlysning öppnar i höst",
        "EU för hälsa publicerar 12 nya utlysningar under arbetsprogrammet 2023",
        "Linköpings universitet utsedd till värd för superdatorn Arrhenius",
    ]
    first = items[0]
    assert first.url == (
        "https://utveckling.regionostergotland.se/ru/utvecklingsomraden/internationell-samverkan/"
        "eu-kontoret/aktuellt-fran-eu-kontoret/nyheter/"
        "sverigessistaveckasomordforandeieuropeiskaunionensrad.html"
    )
    assert first.uid == first.url
    assert first.summary.startswith("Under perioden 1 januari till 30 juni 2023 har Sverige")
    assert (first.kind, first.status, first.published, first.deadline) == ("news", None, None, None)


def test_wordpress_listing_with_dates_and_odd_links():
    url = "https://eurocities.eu/latest/"
    items = parse(fixture("html", "eurocities_latest.html"), url, **WORDPRESS)
    assert len(items) == 5
    talk, housing, poverty, waste, tallinn = items
    assert talk.title == "Cities: “Talk with us!”"
    assert talk.url == "https://eurocities.eu/latest/cities-talk-with-us/"
    # The `datetime` attribute, not the visible "25 January 2021" nor the "updated" time.
    assert talk.published == datetime(2021, 1, 25, 9, 0, tzinfo=UTC)
    assert talk.summary.startswith("Cities have so far not been sufficiently involved")
    assert housing.summary.startswith("A report passed in the European Parliament on Thursday")
    assert poverty.url == "https://eurocities.eu/latest/fighting-child-poverty-in-european-cities/"
    # Relative without a leading slash: against the page's own folder, as a browser does.
    assert (
        waste.url
        == "https://eurocities.eu/latest/latest/waste-not-want-not-why-prague-is-cleaning-up-waste/"
    )
    # A javascript: link is no link; the title is the identity.
    assert (tallinn.url, tallinn.uid) == (None, "Tallinn sets its sights on 2035")


def test_a_date_in_plain_text_dd_mm_yyyy():
    items = parse(
        fixture("html", "ccre_cemr_press.html"),
        "https://ccre-cemr.org/press",
        item="article.post",
        title=".entry-title",
        date=".entry-date",
        summary=".entry-content",
    )
    assert [(i.title, i.published) for i in items] == [
        ("Call for external auditors", datetime(2026, 1, 23, tzinfo=UTC)),
        ("New episode of Call Simone", datetime(2026, 1, 14, tzinfo=UTC)),
        ("Call for tenders: EU-Ukraine partnerships", datetime(2026, 1, 13, tzinfo=UTC)),
        ("Country profile – #3 Spain", datetime(2025, 12, 17, tzinfo=UTC)),
    ]


def test_a_call_listing_reads_status_chips():
    (item,) = parse(
        fixture("html", "tillvaxtverket_utlysningar.html"),
        "https://tillvaxtverket.se/tillvaxtverket/sokfinansiering/utlysningar.html",
        item="li.sv-channel-item",
        title="h2",
        summary="p",
        category="call",
    )
    assert item.kind == "call"
    assert item.url.endswith(
        "/utvecklafardigheterforsmartspecialiseringiostramellansverige.6480.html"
    )
    assert (item.deadlines, item.source_status, item.status) == (
        (date(2024, 3, 19),),
        "closed",
        "closed",
    )


def test_a_title_inside_its_link_takes_the_links_address():
    (item,) = parse(
        fixture("html", "formas_alla_utlysningar.html"),
        FORMAS_LIST,
        item="li.sv-channel-item",
        title="h2",
        category="call",
    )
    assert item.url == FORMAS_CALL
    assert (item.source_status, item.deadline) == ("forthcoming", None)


def test_a_deadline_element_needs_no_label_and_a_link_selector_wins():
    body = """<ul>
      <li class="call"><h3>Kreativa Europa</h3>
        <a class="more" href="/sok-bidrag/europeiska-samarbetsprojekt/">Läs mer</a>
        <a class="share" href="https://facebook.com/share">Dela</a>
        <span class="deadline">2024-10-16</span><span class="opens">Öppnar 2024-09-04</span></li>
      <li class="call"><h3>Öppnar snart</h3><span class="deadline">Öppnar 2024-09-04</span></li>
    </ul>""".encode()
    first, second = parse(
        body,
        "https://www.kulturradet.se/sok-bidrag/",
        item="li.call",
        title="h3",
        link="a.more",
        deadline=".deadline",
        category="call",
    )
    assert first.url == "https://www.kulturradet.se/sok-bidrag/europeiska-samarbetsprojekt/"
    assert (first.opening_date, first.deadlines) == (date(2024, 9, 4), (date(2024, 10, 16),))
    assert (first.source_status, first.status) == ("forthcoming", "forthcoming")
    # An opening date in the deadline element is an opening date, not a deadline.
    assert (second.opening_date, second.deadlines, second.url) == (date(2024, 9, 4), (), None)


def test_links_resolve_against_base_href_and_only_web_links_are_kept():
    body = b"""<html><head><base href="https://www.icld.se/artikel/"></head><body>
      <div class="i"><a href="dags-att-ansoka/"><h2>Dags att ans\xc3\xb6ka</h2></a></div>
      <div class="i"><h2><a href="mailto:partnership@icld.se">Kontakta oss</a></h2></div>
      <div class="i"><h2><a href="data:text/html,hej">Data</a></h2></div>
      <div class="i"><h2><a href="  ">Tom</a></h2></div>
    </body></html>"""
    items = parse(body, "https://icld.se/", item="div.i", title="h2")
    assert [(i.title, i.url) for i in items] == [
        ("Dags att ansöka", "https://www.icld.se/artikel/dags-att-ansoka/"),
        ("Kontakta oss", None),
        ("Data", None),
        ("Tom", None),
    ]


def test_repeated_items_are_kept_once():
    body = b'<p class="n"><a href="/a">A</a></p><p class="n"><a href="/a">A</a></p>'
    assert len(parse(body, "https://skr.se/", item="p.n", title="a")) == 1


# -- layout changes and bad selectors ----------------------------------------------------------


def test_no_matching_items_is_a_layout_error():
    with pytest.raises(FetchError) as error:
        parse(
            fixture("html", "region_ostergotland_aktuellt.html"),
            RO_URL,
            item="li.news-item",
            title="h2",
        )
    assert str(error.value) == (
        "inget element matchar postväljaren 'li.news-item' (item); sidans layout kan ha ändrats"
    )


def test_items_without_titles_are_a_layout_error():
    expected = (
        "4 element matchar postväljaren 'li.sv-channel-item' (item) men inget har "
        "en rubrik som matchar 'h3.rubrik'"
    )
    with pytest.raises(FetchError, match=re.escape(expected)):
        parse(
            fixture("html", "region_ostergotland_aktuellt.html"),
            RO_URL,
            item="li.sv-channel-item",
            title="h3.rubrik",
        )


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ({"item": "li..x", "title": "h2"}, "'item': 'li..x' is not a valid CSS selector"),
        (
            {"item": "li", "title": "h2", "date": "time[datetime"},
            "'date': 'time[datetime' is not a valid",
        ),
        ({"item": "li", "title": " "}, "'title': a CSS selector cannot be empty"),
        ({"item": "li"}, "'title': this key is required"),
    ],
)
def test_bad_selectors_are_config_errors_with_their_line(tmp_path, keys, problem):
    path = tmp_path / "sources.toml"
    path.write_text(
        config_text({"id": "ro", "kind": "html", "url": RO_URL, **keys}), encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=re.escape(problem)) as error:
        load_config(path, kinds=KINDS)
    assert "source 'ro'" in str(error.value) and ", rad " in str(error.value)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "http://[::1", "www.mucf.se/bidrag", "https://"]
)
def test_a_url_that_is_not_a_web_address_is_a_config_error(tmp_path, url):
    path = tmp_path / "sources.toml"
    source = {"id": "ro", "kind": "html", "url": url, "item": "li", "title": "h2"}
    path.write_text(config_text(source), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(f"'url': '{url}' is not a web address")):
        load_config(path, kinds=KINDS)


# -- charsets ------------------------------------------------------------------------------------

_PAGE = """<html><head>{meta}<title>Aktuellt</title></head><body><ul>
<li><h2><a href="/a">Central Baltic-programmets tredje utlysning öppnar i höst</a></h2>
<p>Den 25 september – 16 oktober är det dags att söka finansiering.</p></li></ul></body></html>"""
_TITLE = "Central Baltic-programmets tredje utlysning öppnar i höst"


@pytest.mark.parametrize(
    ("meta", "encoding", "charset"),
    [
        ('<meta charset="iso-8859-1">', "cp1252", None),  # Latin-1 declared by the page
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
            "cp1252",
            None,
        ),
        ("", "cp1252", None),  # declared nowhere
        ("", "cp1252", "utf-8"),  # declared wrongly by the server
        ('<meta charset="utf-8">', "cp1252", None),  # declared wrongly by the page
        ("", "utf-8", "iso-8859-1"),  # UTF-8 served as Latin-1
        ("", "utf-16", None),  # with a byte order mark
    ],
    ids=[
        "meta-latin1",
        "http-equiv",
        "undeclared",
        "header-wrong",
        "meta-wrong",
        "utf8-as-latin1",
        "utf16",
    ],
)
def test_swedish_text_survives_wrong_or_missing_charsets(meta, encoding, charset):
    body = _PAGE.format(meta=meta).encode(encoding)
    (item,) = parse(body, "https://x.se/", charset=charset, item="li", title="h2", summary="p")
    assert item.title == _TITLE
    assert item.summary == "Den 25 september – 16 oktober är det dags att söka finansiering."


def test_text_no_charset_decodes_is_an_error_not_mojibake():
    body = _PAGE.format(meta="").encode("cp1252") + b"\x81\x8d\x90"
    with pytest.raises(FetchError, match="kan inte avkodas"):
        parse(body, "https://x.se/", item="li", title="h2")


# -- detail pages --------------------------------------------------------------------------------


def _call(url: str, **fields) -> Item:
    return Item(source="s", uid=url, kind="call", title="t", url=url, **fields)


def _context() -> ParseContext:
    return ParseContext(
        "s",
        HtmlOptions(url="https://x.se/", item="li", title="h2", category="call", follow=True),
        TODAY,
    )


def test_detail_page_gives_opening_deadline_and_stated_status():
    page = Document(FORMAS_CALL, fixture("html", "formas_utlysning_utforska.html"), HTML, "utf-8")
    item = read_detail(_call(FORMAS_CALL), page, _context())
    assert (item.opening_date, item.deadlines, item.deadline) == (
        date(2024, 9, 4),
        (date(2024, 10, 16),),
        date(2024, 10, 16),
    )
    assert (item.source_status, item.status) == ("forthcoming", "forthcoming")


def test_detail_page_whose_call_opens_soon_and_has_a_deadline():
    url = "https://www.mucf.se/bidrag/projekt-att-oka-ungas-delaktighet"
    page = Document(url, fixture("html", "mucf_projekt_att_oka_ungas_delaktighet.html"), HTML, None)
    item = read_detail(_call(url), page, _context())
    assert (item.deadline, item.source_status) == (date(2024, 10, 1), "forthcoming")
    # The menu's "Stängda bidrag" is not the call's status.
    later = read_detail(_call(url), page, dataclasses.replace(_context(), today=date(2024, 11, 1)))
    assert (later.source_status, later.status) == ("forthcoming", "closed")


def test_detail_pages_that_say_nothing_or_are_not_html_leave_the_item_alone():
    item = _call(FORMAS_CALL, deadlines=(date(2024, 10, 16),), deadline=date(2024, 10, 16))
    pdf = Document(FORMAS_CALL, b"%PDF-1.7 Sista ansokningsdag 2025-01-01", "application/pdf", None)
    assert read_detail(item, pdf, _context()) == item
    blank = Document(FORMAS_CALL, b"<html><main><p>Om Formas</p></main></html>", HTML, None)
    assert read_detail(item, blank, _context()) == item
    broken = Document(FORMAS_CALL, b"\xff\xfe\x00\xd8", HTML, "utf-16-le")
    assert read_detail(item, broken, _context()) == item
    news = dataclasses.replace(item, kind="news")
    page = Document(FORMAS_CALL, fixture("html", "formas_utlysning_utforska.html"), HTML, None)
    assert read_detail(news, page, _context()) == news


# -- never a crash -------------------------------------------------------------------------------


@settings(max_examples=150)
@given(st.binary(max_size=2000), st.sampled_from([None, "utf-8", "iso-8859-1", "utf-16", "bogus"]))
def test_any_bytes_give_items_or_a_fetch_error(body, charset):
    try:
        items = parse(body, "https://x.se/", charset=charset, item="li, article", title="h2, a")
    except FetchError:
        return
    assert all(i.title for i in items)


_MARKUP = st.sampled_from(
    ["<li>", "</li>", "<h2>", "</h2>", '<a href="', "/x", '">', "</a>", "<![CDATA[", "]]>",
     "<!--", "-->", "<!DOCTYPE", "<?xml", "&amp;", "&#0;", "&#x110000;", "Stänger 1 okt 2024",
     "<base href='javascript:x'>", "<br/>", "<p>", "\x00", "<script>", "</script>", "<ul>"]
)  # fmt: skip


@settings(max_examples=150)
@given(st.lists(_MARKUP, max_size=40).map("".join))
def test_any_markup_gives_items_or_a_fetch_error(text):
    for category in ("news", "call"):
        with contextlib.suppress(FetchError):
            parse(text.encode(), "https://x.se/", item="li", title="h2", category=category)
    document = Document("https://x.se/a", text.encode(), HTML, None)
    read_detail(_call("https://x.se/a"), document, _context())


# -- through the pipeline ------------------------------------------------------------------------


@pytest.fixture
def pipeline(tmp_path):
    """(run, store) for a sources.toml of the given sources, served by `site`."""
    return lambda site, *sources: document_site.pipeline(tmp_path, site, TODAY, *sources)


def test_a_listing_is_stored_and_a_304_parses_nothing(pipeline):
    site = Site()
    site.add(RO_URL, fixture("html", "region_ostergotland_aktuellt.html"), etag='W/"ro-1"')
    run, store = pipeline(site, {"id": "eu-kontoret", "kind": "html", "url": RO_URL, **RO})
    (first,) = run().outcomes
    assert first.ok, first.error
    assert (first.items_seen, first.items_new) == (4, 4)
    titles = [r["title"] for r in store.db.query("SELECT title FROM items ORDER BY title")]
    assert "Linköpings universitet utsedd till värd för superdatorn Arrhenius" in titles
    before = list(store.db.query("SELECT * FROM items ORDER BY id"))

    site.pages[RO_URL].body = b"<html><body>a new layout</body></html>"
    (second,) = run().outcomes
    assert second.ok and second.not_modified and second.items_seen == 4
    assert site.requests[-1].headers["If-None-Match"] == 'W/"ro-1"'
    assert list(store.db.query("SELECT * FROM items ORDER BY id")) == before


def test_follow_opens_each_new_calls_page_once(pipeline):
    site = Site()
    site.add(FORMAS_LIST, fixture("html", "formas_alla_utlysningar.html"))
    site.add(FORMAS_CALL, fixture("html", "formas_utlysning_utforska.html"))
    source = {"id": "formas", "kind": "html", "url": FORMAS_LIST, "item": "li.sv-channel-item",
              "title": "h2", "category": "call", "follow": True}  # fmt: skip
    run, store = pipeline(site, source)
    (first,) = run().outcomes
    assert first.ok, first.error
    row = store.db["items"].get(f"formas:{FORMAS_CALL}")
    assert (row["opening_date"], row["deadline"], row["source_status"], row["status"]) == (
        "2024-09-04",
        "2024-10-16",
        "forthcoming",
        "forthcoming",
    )
    (second,) = run(date(2024, 11, 1)).outcomes
    assert second.ok and second.items_changed == 0
    assert site.hits(FORMAS_CALL) == 1
    row = store.db["items"].get(f"formas:{FORMAS_CALL}")
    assert (row["deadline"], row["status"]) == ("2024-10-16", "closed")


def test_bad_pages_fail_alone_and_lose_nothing(pipeline):
    site = Site()
    site.add(RO_URL, fixture("html", "region_ostergotland_aktuellt.html"))
    latin1 = _PAGE.format(meta='<meta charset="iso-8859-1">').encode("cp1252")
    site.add("https://latin1.example/", latin1, "text/html")
    site.add("https://broken.example/", b"<html>oops</html>", status=500)
    site.add("https://feed.example/", fixture("rss", "eurocities_feed.xml"), "application/rss+xml")
    sources = [
        {"id": "eu-kontoret", "kind": "html", "url": RO_URL, **RO},
        {
            "id": "latin1",
            "kind": "html",
            "url": "https://latin1.example/",
            "item": "li",
            "title": "h2",
        },
        {
            "id": "broken",
            "kind": "html",
            "url": "https://broken.example/",
            "item": "li",
            "title": "h2",
        },
        {
            "id": "feed",
            "kind": "html",
            "url": "https://feed.example/",
            "item": "li.sv-channel-item",
            "title": "h2",
        },
    ]
    run, store = pipeline(site, *sources)
    run()
    site.pages[RO_URL].body = fixture("html", "eurocities_latest.html")  # the layout changed
    outcomes = {o.source: o for o in run().outcomes}
    assert outcomes["eu-kontoret"].error == (
        "inget element matchar postväljaren 'li.sv-channel-item' (item); "
        "sidans layout kan ha ändrats"
    )
    assert outcomes["latin1"].ok
    assert store.db["items"].get("latin1:https://latin1.example/a")["title"] == _TITLE
    assert "HTTP 500" in outcomes["broken"].error
    assert "inget element matchar" in outcomes["feed"].error
    assert (
        store.db.execute("SELECT count(*) FROM items WHERE source = 'eu-kontoret'").fetchone()[0]
        == 4
    )
