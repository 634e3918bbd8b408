"""The portal's official RSS beside its search API: a call reached through both is one call."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers.document_site import fixture
from helpers.fault_server import FaultServer, respond
from helpers.portal_emulator import portal_config
from monitor.cli import cli
from monitor.sources.document import Document, ParseContext
from monitor.sources.rss import RssOptions, parse_feed
from monitor.store import open_store

FEED = fixture("rss", "eu_portal_grant_tenders.xml")
RULES = Path(__file__).resolve().parent.parent / "rules"
URL = "https://ec.europa.eu/info/funding-tenders/opportunities/data/referenceData/grantTenders-rss.xml"


def test_the_feeds_items_carry_the_portal_identifier_and_the_deadline():
    context = ParseContext("eu-portal-rss", RssOptions(url=URL, category="call"), date(2026, 8, 22))
    items = parse_feed(Document(URL, FEED, "application/rss+xml", "utf-8"), context)
    assert [(i.identifier, i.deadline) for i in items] == [
        ("LIFE-2026-SAP-CLIMA-CCA", date(2026, 9, 22)),  # from a topic page link
        ("LIFE-2026-SAP-CLIMA-GOV", date(2026, 9, 22)),  # from callCode=
        ("EUI-2026-IA-04", date(2026, 10, 15)),
    ]
    # The uid stays the feed's: the portal's own record remains the call's record.
    assert all(i.uid != i.identifier for i in items)


def test_a_call_from_both_the_search_api_and_the_rss_is_in_the_digest_once(
    runner, write_config, live_portal, snapshot_day
):
    with FaultServer() as feed:
        feed.routes["/rss.xml"] = lambda request, conn: respond(
            conn, 200, FEED, {"Content-Type": "application/rss+xml; charset=UTF-8"}
        )
        extra = f"""
[[sources]]
id = "eu-portal-rss"
kind = "rss"
name = "EU Funding & Tenders Portal: RSS"
url = "{feed.url("/rss.xml")}"
category = "call"
"""
        settings = f'rules = "{RULES}"'
        path = write_config(portal_config(live_portal.base_url, extra=extra, settings=settings))
        run = runner.invoke(cli, ["--config", str(path), "run", "--no-digest"])
        assert run.exit_code == 0, run.output
    store = open_store(path.parent / "monitor.db")
    stored = [
        r["identifier"] for r in store.db["items"].rows_where("source = ?", ["eu-portal-rss"])
    ]
    assert len(stored) == 3  # both records are kept; the digest folds them
    digest = runner.invoke(cli, ["--config", str(path), "digest"])
    assert digest.exit_code == 0, digest.output
    text = digest.stdout
    assert text.count("Climate Change Adaptation (") == 1, text
    assert "LIFE-2026-SAP-CLIMA-CCA" in text
