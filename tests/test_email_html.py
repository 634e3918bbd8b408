"""The HTML body of the e-mail: readable in desktop Outlook (inline styles in a 680-pixel table),
in the digest's language, with nothing a source wrote able to break out of its text or link."""

from __future__ import annotations

import dataclasses
import re

from helpers.long_digest import document, hostile
from monitor.digest.document import DigestDocument, Entry, Link, Section
from monitor.notify.email_html import as_html


def test_a_link_with_quotes_stays_inside_its_attribute():
    entry = Entry(lines=((Link("Title", 'https://x.example/a"onmouseover="alert(1)'),),))
    doc = DigestDocument("T", "S", "sv", 1, (), (Section("news", "Nyheter", (entry,)),))
    assert 'href="https://x.example/a%22onmouseover=%22alert(1)"' in as_html(doc)


def test_the_html_is_outlook_safe_and_in_the_digests_language():
    body = as_html(document(8, extra=(hostile(),)))
    assert body.startswith('<!DOCTYPE html>\n<html lang="sv">')
    assert "<style" not in body and "class=" not in body
    assert "flex" not in body and "grid" not in body
    assert 'width="680"' in body
    # The note is in a smaller grey style.
    assert re.search(r'<p style="[^"]*font-size:13px[^"]*color:#666666">Varför: climate', body)


def test_the_page_says_the_digests_language():
    english = dataclasses.replace(document(1), language="en")
    assert '<html lang="en">' in as_html(english)


PORTAL = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/"
)


def portal_call(n: int) -> Entry:
    """A call as a real week gives it: the portal's long link and a few news items naming it."""
    entry = document(1).sections[0].entries[0]
    title = (Link(f"Call {n}: adaptation of schools", f"{PORTAL}LIFE-2027-{n:04d}", strong=True),)
    news = tuple((Link(f"News {n}.{k}", f"https://news.example.se/{n}/{k}"),) for k in range(3))
    return dataclasses.replace(entry, lines=(title, *entry.lines[1:]), mentions=news)


def test_a_large_week_stays_under_gmails_clip_and_still_links_every_call():
    calls = tuple(portal_call(n) for n in range(300))
    doc = dataclasses.replace(
        document(0), sections=(Section("area:klimat-miljo", "Klimat", calls, area="klimat-miljo"),)
    )
    body = as_html(doc)
    assert len(body.encode()) < 100_000  # Gmail clips a message's HTML past ~102 KB
    linked = re.findall(r'href="' + re.escape(PORTAL) + r'(LIFE-2027-\d+)"', body)
    assert sorted(linked) == sorted(f"LIFE-2027-{n:04d}" for n in range(300))
    assert body.count("Resten av utlysningarna visas med titel och länk") == 1
    assert "News 0.2" in body  # the first calls in full, with their news
