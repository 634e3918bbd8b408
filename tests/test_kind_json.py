"""Kind `json`: WordPress REST and Vinnova's open data read by dotted field paths."""

from __future__ import annotations

import contextlib
import json
import re
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import document_site
from helpers.document_site import Site, config_text, fixture
from monitor.config import load_config
from monitor.errors import ConfigError, FetchError
from monitor.sources.document import Document, ParseContext
from monitor.sources.json_api import JsonOptions, parse_json, resolve
from monitor.sources.kinds import KINDS

TODAY = date(2023, 6, 1)
ESF_URL = "https://www.esf.se/wp-json/wp/v2/posts?per_page=20&orderby=date"
VINNOVA_URL = "https://data.vinnova.se/api/ansokningsomgangar/2023-01-01"
WORDPRESS = {
    "uid": "id",
    "title": "title.rendered",
    "link": "link",
    "date": "date_gmt",
    "summary": "excerpt.rendered",
}
VINNOVA = {
    "uid": "Diarienummer",
    "title": "Titel",
    "summary": "WebTextLista.0.TextSv",
    "opening_date": "Oppningsdatum",
    "deadline": "Stangningsdatum",
    "only_if": "Publik",
    "category": "call",
}
JSON = "application/json"


def parse(body: bytes, url: str = "https://api.example/x", *, charset="utf-8", today=TODAY, **keys):
    context = ParseContext("api", JsonOptions(url=url, **keys), today)
    return parse_json(Document(url, body, JSON, charset), context)


def as_json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def test_wordpress_rest_posts():
    esf, page = parse(fixture("json", "esf_wp_posts.json"), ESF_URL, **WORDPRESS)
    assert esf.uid == "24817"
    assert esf.title == "Information om kommande utlysningar – ESF+ Stockholmsregionen"
    assert esf.url == "https://www.esf.se/nyheter/kommande-utlysningar-stockholm/"
    assert esf.published == datetime(2022, 10, 24, 8, 12, 31, tzinfo=UTC)
    assert esf.summary == (
        "ESF-rådet planerar att öppna fyra utlysningar inom Programområde A inom ESF+ i "
        "Stockholmsregionen. […]"
    )
    assert (esf.kind, esf.status, esf.deadline) == ("news", None, None)
    assert page.title == "European Social Fund Plus 2021–2027"
    assert page.url == "https://www.esf.se/en/socialfondsprogrammet-esf-2021-2027/"


def test_vinnova_application_rounds_as_calls():
    ai, old = parse(fixture("json", "vinnova_ansokningsomgangar.json"), VINNOVA_URL, **VINNOVA)
    assert ai.uid == "2023-01705" and ai.kind == "call"
    assert ai.title == "Gemensamma AI-förmågor i kommuner och civilsamhälle"
    assert ai.summary.startswith("Det här erbjudandet riktar sig till kommuner")
    assert (ai.opening_date, ai.deadlines, ai.deadline) == (
        date(2023, 4, 18),
        (date(2023, 9, 19),),
        date(2023, 9, 19),
    )
    assert (ai.source_status, ai.status, ai.url) == ("open", "open", None)
    # "0001-01-01T00:00:00" is Vinnova's "no date"; an empty WebTextLista gives no summary.
    assert (old.opening_date, old.deadline, old.summary) == (None, date(2017, 2, 9), "")
    assert (old.source_status, old.status) == ("open", "closed")


def test_a_round_not_yet_open_is_forthcoming_and_unpublished_rounds_are_left_out():
    items = parse(
        fixture("json", "vinnova_ansokningsomgangar.json"), today=date(2023, 3, 1), **VINNOVA
    )
    assert [i.uid for i in items] == ["2023-01705", "2016-04977"]  # "Publik": 0 is not kept
    assert (items[0].source_status, items[0].status) == ("forthcoming", "forthcoming")


def test_nested_paths_list_indices_and_every_date_form():
    body = as_json(
        {
            "data": {
                "calls": [
                    {
                        "id": 7,
                        "names": [{"sv": "Kulturbryggan"}],
                        "dates": {
                            "close": ["2025-09-01", "19 dec. 2025", "2025-03-01T14:00:00+01:00"]
                        },
                        "open": 1735689600000,  # epoch milliseconds: 2025-01-01 00:00 UTC
                        "url": "/bidrag/kulturbryggan",
                    },
                    {"id": 8, "names": [], "url": "/x"},  # no title: left out
                    {
                        "id": 9,
                        "names": [{"sv": "Frist i sekunder"}],
                        "dates": {"close": 1735689600},
                    },
                    "not an object",
                ]
            }
        }
    )
    first, seconds = parse(
        body,
        "https://www.kulturradet.se/api/bidrag",
        items="data.calls",
        uid="id",
        title="names.0.sv",
        link="url",
        deadline="dates.close",
        opening_date="open",
        category="call",
        today=date(2025, 6, 1),
    )
    assert first.uid == "7" and first.url == "https://www.kulturradet.se/bidrag/kulturbryggan"
    assert first.opening_date == date(2025, 1, 1)
    assert first.deadlines == (date(2025, 3, 1), date(2025, 9, 1), date(2025, 12, 19))
    assert first.deadline == date(2025, 9, 1)  # the next one after today
    assert seconds.deadlines == (date(2025, 1, 1),)  # epoch seconds, read in Swedish time


def test_resolve():
    data = {"a": [{"b": "x"}, {"b": "y"}], "c.d": 1}
    assert resolve(data, "a.1.b") == "y"
    assert resolve(data, "a.-1.b") == "y"
    assert resolve(data, "") is data
    missing = resolve(data, "a.2.b")
    assert missing is resolve(data, "a.b") is resolve(data, "c.d") is resolve("text", "a")


# -- errors -------------------------------------------------------------------------------------


def test_a_cut_off_answer_is_invalid_json_saying_so():
    with pytest.raises(FetchError) as error:
        parse(fixture("json", "esf_wp_json_page_excerpt.json.txt"), **WORDPRESS)
    message = str(error.value)
    assert message.startswith("svaret är inte giltig JSON: Unterminated string")
    assert "(svaret kan ha kapats)" in message and "(application/json)" in message


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            b"<!DOCTYPE html><html><body>Underhall</body></html>",
            "inte giltig JSON: Expecting value på rad 1, kolumn 1",
        ),
        (b"", "svaret är tomt, inte JSON"),
        ('[{"Titel": "Östergötland"}]'.encode("cp1252"), "inte UTF-8-text, vilket JSON måste vara"),
        (b"[" * 100_000 + b"]" * 100_000, "inte giltig JSON"),
    ],
    ids=["html", "empty", "latin1-undeclared", "too-deep"],
)
def test_answers_that_are_not_json(body, problem):
    with pytest.raises(FetchError, match=re.escape(problem)):
        parse(body, title="Titel")


def test_a_latin1_answer_declared_as_such_is_read():
    body = '[{"Titel": "Östergötland – EU"}]'.encode("cp1252")
    (item,) = parse(body, charset="windows-1252", title="Titel")
    assert item.title == "Östergötland – EU"


def test_a_missing_items_path_names_the_path_and_what_is_there():
    body = as_json({"data": {"posts": []}, "total": 0})
    with pytest.raises(FetchError) as error:
        parse(body, items="data.calls", title="title")
    assert str(error.value) == (
        "svaret har inget på 'data.calls' (sökvägen 'items'); "
        "det är ett objekt med nycklarna data, total"
    )


def test_items_that_are_not_a_list_or_have_no_titles():
    with pytest.raises(FetchError, match=re.escape("på 'data' (sökvägen 'items'), inte en lista")):
        parse(as_json({"data": {"a": 1}}), items="data", title="title")
    top = "har ett objekt på översta nivån, inte en lista"
    with pytest.raises(FetchError, match=re.escape(top)):
        parse(as_json({"data": []}), title="title")
    untitled = "ingen av de 2 posterna har en text på 'Titel'"
    with pytest.raises(FetchError, match=re.escape(untitled)):
        parse(as_json([{"titel": "a"}, {"titel": "b"}]), title="Titel")
    assert parse(as_json([]), title="Titel") == []


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        ({"title": "title..rendered"}, "'title': 'title..rendered' is not a path"),
        ({"title": "t", "items": "data."}, "'items': 'data.' is not a path"),
        ({}, "'title': this key is required"),
        (
            {"title": "t", "category": "event"},
            "'category': 'event' is not allowed (choose from: call, news)",
        ),
    ],
)
def test_bad_options_are_config_errors(tmp_path, keys, problem):
    path = tmp_path / "sources.toml"
    path.write_text(config_text({"id": "api", "kind": "json", "url": VINNOVA_URL, **keys}), "utf-8")
    with pytest.raises(ConfigError, match=re.escape(problem)):
        load_config(path, kinds=KINDS)


# -- never a crash -------------------------------------------------------------------------------

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["a", "b", "0", "title"]), inner, max_size=4)
    ),
    max_leaves=20,
)
_PATHS = st.sampled_from(["a", "b", "a.b", "a.0", "0", "title", "a.0.title", "b.-1"])


@settings(max_examples=200)
@given(
    _VALUES, st.sampled_from(["", "a", "b.0"]), _PATHS, _PATHS, st.sampled_from(["news", "call"])
)
def test_any_json_gives_items_or_a_fetch_error(value, items, title, deadline, category):
    body = json.dumps(value).encode()
    with contextlib.suppress(FetchError):
        for item in parse(
            body, items=items, title=title, deadline=deadline, date=deadline, category=category
        ):
            assert item.title and item.uid


@settings(max_examples=150)
@given(st.binary(max_size=500), st.sampled_from([None, "utf-8", "latin-1", "utf-16", "bogus"]))
def test_any_bytes_give_items_or_a_fetch_error(body, charset):
    with contextlib.suppress(FetchError):
        parse(body, charset=charset, title="title")


# -- through the pipeline ------------------------------------------------------------------------


@pytest.fixture
def pipeline(tmp_path):
    """(run, store) for a sources.toml of the given sources, served by `site`."""
    return lambda site, *sources: document_site.pipeline(tmp_path, site, TODAY, *sources)


def test_vinnova_rounds_are_stored_and_a_304_parses_nothing(pipeline):
    site = Site()
    site.add(
        VINNOVA_URL,
        fixture("json", "vinnova_ansokningsomgangar.json"),
        "application/json; charset=utf-8",
        etag='"vinnova-1"',
    )
    run, store = pipeline(site, {"id": "vinnova", "kind": "json", "url": VINNOVA_URL, **VINNOVA})
    (first,) = run().outcomes
    assert first.ok, first.error
    assert (first.items_seen, first.items_new) == (2, 2)
    row = store.db["items"].get("vinnova:2023-01705")
    assert (row["kind"], row["opening_date"], row["deadline"], row["status"]) == (
        "call",
        "2023-04-18",
        "2023-09-19",
        "open",
    )

    site.pages[VINNOVA_URL].body = b"{}"
    (second,) = run().outcomes
    assert second.ok and second.not_modified and second.items_seen == 2
    assert site.requests[-1].headers["If-None-Match"] == '"vinnova-1"'
    assert store.db["items"].count == 2


def test_vinnovas_window_is_counted_back_from_the_runs_day(pipeline):
    # Vinnova answers the rounds changed since the date in the address: a fixed date would lose
    # a round last edited before it, so the shipped source asks for two years back from today.
    rounds = fixture("json", "vinnova_ansokningsomgangar.json")
    site = Site()
    base = "https://data.vinnova.se/api/ansokningsomgangar/"
    site.add(base + "2021-06-01", rounds, JSON)
    site.add(base + "2022-06-01", rounds, JSON)
    source = {"id": "vinnova", "kind": "json", "url": base + "{today-730d}", **VINNOVA}
    run, store = pipeline(site, source)
    (first,) = run().outcomes
    assert first.ok and first.items_new == 2, first.error
    (a_year_on,) = run(date(2024, 5, 31)).outcomes  # 2024 is a leap year: 730 days is 2022-06-01
    assert a_year_on.ok, a_year_on.error
    assert [str(r.url) for r in site.requests] == [base + "2021-06-01", base + "2022-06-01"]
    assert store.db["items"].count == 2  # the same rounds, not new ones


@pytest.mark.parametrize("written", ["{yesterday}", "{today-2w}", "{today+30d}"])
def test_a_date_placeholder_other_than_today_minus_days_is_a_config_error(tmp_path, written):
    url = f"https://data.vinnova.se/api/ansokningsomgangar/{written}"
    path = tmp_path / "sources.toml"
    path.write_text(config_text({"id": "vinnova", "kind": "json", "url": url, **VINNOVA}), "utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, kinds=KINDS)
    message = str(caught.value)
    assert "source 'vinnova'" in message and "'url'" in message, message
    assert f"'{written}' is not a date" in message and "{today-730d}" in message, message


def test_bad_answers_fail_alone_and_lose_nothing(pipeline):
    site = Site()
    site.add(ESF_URL, fixture("json", "esf_wp_posts.json"), JSON)
    site.add(VINNOVA_URL, fixture("json", "vinnova_ansokningsomgangar.json"), JSON)
    site.add("https://cut.example/api", fixture("json", "esf_wp_json_page_excerpt.json.txt"), JSON)
    site.add("https://moved.example/api", as_json({"results": []}), JSON)
    sources = [
        {"id": "esf", "kind": "json", "url": ESF_URL, **WORDPRESS},
        {"id": "vinnova", "kind": "json", "url": VINNOVA_URL, **VINNOVA},
        {"id": "cut", "kind": "json", "url": "https://cut.example/api", "title": "title.rendered"},
        {
            "id": "moved",
            "kind": "json",
            "url": "https://moved.example/api",
            "items": "data",
            "title": "t",
        },
    ]
    run, store = pipeline(site, *sources)
    run()
    site.pages[ESF_URL].body = b"<html>Sidan kunde inte visas</html>"
    outcomes = {o.source: o for o in run().outcomes}
    assert "inte giltig JSON" in outcomes["esf"].error
    assert outcomes["vinnova"].ok
    assert "svaret kan ha kapats" in outcomes["cut"].error
    assert (
        "inget på 'data' (sökvägen 'items'); det är ett objekt med nycklarna results"
        in outcomes["moved"].error
    )
    assert store.db.execute("SELECT count(*) FROM items WHERE source = 'esf'").fetchone()[0] == 2
