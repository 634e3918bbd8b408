"""`monitor sources check --all` as an admin runs it: every source, enabled or not, against
local copies of each platform's pages (Drupal views list, Optimizely listing, Sitevision list
with its RSS portlet, WordPress with its REST root), with the shipped selectors and with
selectors written for the wrong platform."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.document_site import fixture
from helpers.fault_server import FaultServer, respond
from monitor.cli import cli
from monitor.sources.platform import read_signals
from monitor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = (ROOT / "sources.toml").read_text(encoding="utf-8")
PAGES = {
    "/mucf/bidrag": ("platforms", "drupal_views_mucf_bidrag.html", "text/html; charset=UTF-8"),
    "/kulturradet/sok-bidrag/": (
        "platforms",
        "optimizely_kulturradet_sok_bidrag.html",
        "text/html; charset=utf-8",
    ),
    "/skr/nyheter": ("platforms", "sitevision_skr_nyheter.html", "text/html;charset=UTF-8"),
    "/skr/rss": ("rss", "skr_nyheter.rdf", "text/xml;charset=UTF-8"),
    "/icld/artiklar": ("platforms", "wordpress_icld_artiklar.html", "text/html; charset=UTF-8"),
}


@pytest.fixture
def site() -> Iterator[FaultServer]:
    server = FaultServer()
    for path, (kind, name, content_type) in PAGES.items():
        body = fixture(kind, name)
        server.routes[path] = lambda request, conn, body=body, kind=content_type: respond(
            conn, 200, body, {"Content-Type": kind}
        )
    with server:
        yield server


def shipped(source_id: str, url: str) -> str:
    """The shipped entry of `source_id`, selectors and all, reading `url` instead."""
    block = next(b for b in SHIPPED.split("[[sources]]")[1:] if f'id = "{source_id}"' in b)
    block = block.split("\n\n#", 1)[0]  # up to the next entry's comment
    return "[[sources]]" + re.sub(r'(?m)^url = ".*"$', f'url = "{url}"', block) + "\n"


def config(site: FaultServer, *, wrong_one_enabled: bool) -> str:
    base = site.base_url
    return f"""
[settings]
database = "monitor.db"
retries = 0
host_delay = 0
allow_private = true  # the site is on 127.0.0.1

{shipped("mucf", base + "/mucf/bidrag")}
{shipped("kulturradet", base + "/kulturradet/sok-bidrag/")}
{shipped("skr", base + "/skr/rss")}

[[sources]]
id = "mucf-sitevision-guess"
kind = "html"
name = "MUCF with the Sitevision classes it once had"
enabled = false
url = "{base}/mucf/bidrag"
item = ".sv-channel-item, .sv-listitem"
title = "h2, h3, a"
category = "call"

[[sources]]
id = "skr-page"
kind = "html"
name = "SKR's news page read with a guess"
enabled = false
url = "{base}/skr/nyheter"
item = "article.news-item"
title = "h2"

[[sources]]
id = "icld-page"
kind = "html"
name = "ICLD's articles read with Drupal's rows"
enabled = {str(wrong_one_enabled).lower()}
url = "{base}/icld/artiklar"
item = ".views-row"
title = "h2"
"""


def check_all(runner, tmp_path: Path, text: str):
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return runner.invoke(cli, ["--config", str(path), "sources", "check", "--all"])


def table(output: str) -> dict[str, list[str]]:
    lines = output.split("\n\n", 1)[0].splitlines()
    assert lines[0].split() == [
        "ID",
        "ON",
        "ITEMS",
        "NEWEST",
        "DATES",
        "MISSING",
        "HTTP",
        "PLATFORM",
    ]
    starts = [lines[0].index(word) for word in lines[0].split()]
    rows = {}
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        rows[cells[0]] = cells
    return rows


def notes(output: str) -> dict[str, list[str]]:
    said: dict[str, list[str]] = {}
    for line in output.split("\n\n", 1)[1].splitlines():
        source, _, text = line.partition(": ")
        said.setdefault(source, []).append(text)
    return said


def test_check_all_reports_every_source_with_its_platform_and_what_it_offers(
    runner, tmp_path, site
):
    result = check_all(runner, tmp_path, config(site, wrong_one_enabled=True))
    rows = table(result.stdout)
    assert list(rows) == [
        "mucf",
        "kulturradet",
        "skr",
        "mucf-sitevision-guess",
        "skr-page",
        "icld-page",
    ]
    # The shipped selectors find the rows on the platforms the sites run.
    mucf = rows["mucf"]
    assert mucf[1:3] == ["no", "2"] and mucf[6:] == ["200", "Drupal"]
    assert "deadline 2" in mucf[5]  # the listing has no dates; `follow` reads each page
    kulturradet = rows["kulturradet"]
    assert kulturradet[2] == "3" and kulturradet[7] == "Optimizely"  # not the menu's link
    skr = rows["skr"]
    assert skr[1:5] == ["yes", "2", "2021-03-24", "2/2"] and skr[6] == "200", skr

    # Selectors that find nothing: the failure, the platform, and the way in the page offers.
    assert rows["mucf-sitevision-guess"][2:] == ["FAILED", "-", "-", "-", "200", "Drupal"]
    said = notes(result.stdout)
    guess = said["mucf-sitevision-guess"]
    assert guess[0].startswith("FAILED: inget element matchar postväljaren")
    assert guess[1] == (
        "the selectors use Sitevision class names but the site runs Drupal (generator tag)"
    )
    assert guess[2] == "the page offers instead: RSS feed https://www.mucf.se/rss.xml"
    assert rows["skr-page"][7] == "Sitevision"
    portlet = (
        f"{site.base_url}/4.e6f1d6318fa4a7c94db534c/12.e6f1d6318fa4a7c94db5bb0.portlet"
        "?state=rss&sv.contenttype=text/xml;charset=UTF-8"
    )
    assert said["skr-page"][1] == f"the page offers instead: Sitevision RSS portlet {portlet}"
    assert rows["icld-page"][7] == "WordPress"
    assert said["icld-page"][1:] == [
        "the selectors use Drupal class names but the site runs WordPress (generator tag)",
        "the page offers instead: RSS feed https://icld.se/feed/; "
        "RSS feed https://icld.se/comments/feed/; WordPress REST API https://icld.se/wp-json/",
    ]
    # An enabled source failed: exit 3. Nothing was stored.
    assert result.exit_code == 3, result.output
    store = open_store(tmp_path / "monitor.db")
    assert store.db["items"].count == 0 and store.db["fetch_log"].count == 0


def test_only_an_enabled_source_failing_makes_check_all_fail(runner, tmp_path, site):
    result = check_all(runner, tmp_path, config(site, wrong_one_enabled=False))
    assert result.exit_code == 0, result.output
    assert table(result.stdout)["icld-page"][1:3] == ["no", "FAILED"]


def test_check_of_one_source_gives_the_same_advice(runner, tmp_path, site):
    path = tmp_path / "sources.toml"
    path.write_text(config(site, wrong_one_enabled=False), encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(path), "sources", "check", "skr-page"])
    assert result.exit_code == 3
    first, *advice = result.stdout.splitlines()
    assert first.startswith("skr-page: FAILED: inget element matchar postväljaren")
    assert advice == [
        f"  the page offers instead: Sitevision RSS portlet {site.base_url}/4.e6f1d6318fa4a7c94"
        "db534c/12.e6f1d6318fa4a7c94db5bb0.portlet?state=rss&sv.contenttype=text/xml;charset=UTF-8"
    ]
    both = runner.invoke(cli, ["--config", str(path), "sources", "check", "--all", "skr"])
    assert both.exit_code == 2 and "not both" in both.output


@pytest.mark.parametrize(
    ("name", "platform", "why"),
    [
        ("drupal_views_mucf_bidrag.html", "Drupal", "generator tag"),
        ("optimizely_kulturradet_sok_bidrag.html", "Optimizely", "/globalassets/ paths"),
        ("sitevision_skr_nyheter.html", "Sitevision", "/sitevision/ paths"),
        ("wordpress_icld_artiklar.html", "WordPress", "generator tag"),
    ],
)
def test_each_platform_is_told_by_the_signs_it_leaves(name, platform, why):
    page = read_signals(fixture("platforms", name), "text/html", "utf-8", "https://example.se/")
    assert (page.platform, page.why) == (platform, why)


def test_without_a_generator_tag_the_platform_is_told_by_its_paths():
    wordpress = (
        b"<!DOCTYPE html><html><head><link rel='https://api.w.org/' href='/wp-json/'></head>"
        b"<body><img src='/wp-content/uploads/2021/12/a.jpg'></body></html>"
    )
    drupal = fixture("platforms", "drupal_views_mucf_bidrag.html").replace(
        b'<meta name="Generator" content="Drupal 10 (https://www.drupal.org)" />', b""
    )
    assert read_signals(wordpress, "text/html", None, "https://icld.se/").platform == "WordPress"
    told = read_signals(drupal, "text/html", None, "https://www.mucf.se/")
    assert (told.platform, told.why) == ("Drupal", "/sites/default/files/ paths")
    plain = read_signals(b"<html><body><p>Hej</p></body></html>", "text/html", None, "https://x/")
    assert plain.platform is None and plain.offers == ()
