"""No `javascript:` (or any other non-http(s)) URL from a source becomes a link, and a URL with
CR/LF cannot break the iCalendar export: one rule (`monitor.links.safe_url`) for the Markdown
digest, the yearly HTML report and the ICS export."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from helpers.stored_calls import TODAY, add_calls, portal_project
from monitor.cli import cli
from monitor.links import safe_url
from monitor.report.blocks import Document, Link, Table
from monitor.report.html import render_html

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https://ec.europa.eu/topic\r\nX-INJECTED:1",
    "https:///no-host",
]
GOOD = "https://ec.europa.eu/topic-details/LIFE-2027-CALL-009"


@pytest.mark.parametrize("url", HOSTILE)
def test_only_an_http_url_with_a_host_and_no_control_characters_is_a_link(url):
    assert safe_url(url) is None


def test_an_ordinary_url_stays_a_link_with_quotes_encoded():
    assert safe_url(GOOD) == GOOD
    assert '"' not in (safe_url('https://x.example/"onmouseover=') or "")


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    config = portal_project(tmp_path)
    titles = [f"Climate adaptation call {n}" for n in range(len(HOSTILE) + 1)]
    add_calls(config, titles, urls=[*HOSTILE, GOOD])
    return config


def test_the_markdown_digest_links_no_hostile_url(runner, project):
    result = runner.invoke(cli, ["--config", str(project), "digest", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    for url in ("javascript:", "JaVaScRiPt:", "data:", "vbscript:", "X-INJECTED"):
        assert url not in result.output
    assert f"]({GOOD})" in result.output
    assert "Climate adaptation call 0" in result.output  # shown, as text


def test_the_ics_export_links_no_hostile_url_and_survives_cr_lf(runner, project, tmp_path):
    out = tmp_path / "calls.ics"
    args = ["--config", str(project), "export", "--format", "ics", "--output", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "javascript:" not in text.lower() and "X-INJECTED" not in text
    events = Calendar.from_ical(text).walk("VEVENT")
    assert len(events) == len(HOSTILE) + 1
    assert [str(e["url"]) for e in events if "url" in e] == [GOOD]


def test_the_html_report_links_no_hostile_url():
    rows = [(Link(f"call {n}", url),) for n, url in enumerate([*HOSTILE, GOOD])]
    html = render_html(Document("Rapport", "sv", [Table(("Utlysning",), rows)]))
    assert "javascript:" not in html.lower() and "data:text" not in html
    assert html.count("<a href=") == 1 and f'<a href="{GOOD}">' in html
    assert "call 0" in html
