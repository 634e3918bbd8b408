"""`monitor report`: the yearly report for kommunstyrelsen, from a real database of three years.

The database is written the way runs write it (Store.start_run, save_success, save_failure),
with matches as the rules would leave them. Today is 20 March 2026 (Stockholm): 2025 is a whole
year, 2026 is in progress. The figures a reader would check are worked out by hand below.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.cli import cli
from monitor.models import Item, SourceOutcome
from monitor.report.gather import gather_report
from monitor.report.words import ReportWords
from monitor.store import open_store

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 3, 20)
NBSP = "\u00a0"

CONFIG = """
[settings]
database = "monitor.db"
{settings}

[[sources]]
id = "eu-portal"
kind = "eu_portal"
name = "EU Funding & Tenders Portal"

[[sources]]
id = "interreg"
kind = "eu_portal"
name = "Interreg Östersjön"

[[sources]]
id = "eurocities"
kind = "eu_portal"
name = "Eurocities nyheter"
"""


def call(uid: str, title: str, code: str | None, *deadlines: date, status="open") -> Item:
    return Item(
        source="interreg" if uid.startswith("INTERREG") else "eu-portal",
        uid=uid,
        kind="call",
        title=title,
        url=f"https://ec.europa.eu/topic-details/{uid}",
        identifier=uid,
        programme={"LIFE": "Programme for the Environment and Climate Action (LIFE)"}.get(
            code or "", code
        ),
        programme_code=code,
        status=status,
        source_status=status,
        deadlines=deadlines,
        deadline=deadlines[0] if deadlines else None,
    )


def news(source: str, uid: str) -> Item:
    return Item(source=source, uid=uid, kind="news", title=f"Nyhet {uid}", url=None)


Z = call("LIFE-2024-Z", "Naturrestaurering i våtmarker", "LIFE", date(2025, 2, 28))
A = call("LIFE-2025-A", "Klimatanpassning i små städer", "LIFE", date(2025, 4, 10))
B = call("LIFE-2025-B", "Industriella utsläpp", "LIFE", date(2025, 6, 1))
C = call("CERV-2025-C", "Medborgare | jämlikhet *och* rättigheter", "CERV", date(2025, 9, 30))
D = call("HORIZON-2025-D", "Klimatneutrala städer", "HORIZON", date(2026, 2, 1))
# Two stages; last fetched before the first closed, so its stored deadline is the first stage:
# it closes in 2026 at the earliest and belongs in no list of closed calls yet.
E = call("ERASMUS-2025-E", "Skolsamarbeten", "ERASMUS", date(2025, 10, 1), date(2026, 4, 15))
F = call("DIGITAL-2025-F", "Halvledarpiloter", "DIGITAL", date(2025, 11, 20))
H = call("INTERREG-2025-H", "Småprojekt Östersjön", None, date(2025, 12, 15), status="closed")
G = call("LIFE-2026-G", "Cirkulär ekonomi", "LIFE", date(2026, 9, 1))
I = call("LIFE-2026-I", "Biologisk mångfald", "LIFE", date(2026, 10, 1))  # noqa: E741

# (area, score) per item as the rules would store them; relevant = passed the gate too.
MATCHES = {
    Z: [("klimat-miljo", 4.0)],
    A: [("klimat-miljo", 5.0)],
    C: [("demokrati-inkludering", 4.0), ("kultur", 2.0)],
    D: [("stad-digitalisering", 4.5), ("klimat-miljo", 3.0)],
    E: [("utbildning", 4.0)],
    F: [("stad-digitalisering", 3.0)],  # matched an area but failed the gate: not relevant
    H: [("partnerskap", 3.5)],
    G: [("klimat-miljo", 5.0)],
    I: [("klimat-miljo", 4.0)],
}
NOT_RELEVANT = {B, F}

OLD_NEWS = news("old-feed", "n1")
TIMEOUT = "timed out after 90 s"
UNAVAILABLE = "HTTP 503 Service Unavailable | retry later"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Each run: when, and per source its items or the error it failed with.
RUNS = [
    (utc(2024, 11, 20, 8), {"eu-portal": [Z]}),
    (utc(2025, 1, 15, 9), {"eu-portal": [Z, A, B, C], "old-feed": [OLD_NEWS]}),
    # 22:30 UTC on 31 March is 00:30 on 1 April in Stockholm (summer time): an April call.
    (utc(2025, 3, 31, 22, 30), {"eu-portal": [D], "old-feed": "HTTP 404 from old.example"}),
    (utc(2025, 6, 10, 8), {"eu-portal": [E, F], "interreg": "HTTP 503 from interreg.example"}),
    (utc(2025, 9, 5, 8), {"eu-portal": [A], "interreg": [H], "old-feed": [OLD_NEWS]}),
    (utc(2025, 11, 2, 8), {"eu-portal": TIMEOUT, "interreg": UNAVAILABLE}),
    # 23:30 UTC on New Year's Eve is already 2026 in Stockholm: run and call belong to 2026.
    (utc(2025, 12, 31, 23, 30), {"eu-portal": [G], "interreg": [H]}),
    (
        utc(2026, 1, 20, 7),
        {"eu-portal": [G], "interreg": [H], "eurocities": [news("eurocities", "n2")]},
    ),
    (
        utc(2026, 2, 12, 7),
        {"eu-portal": [I], "interreg": "HTTP 500", "eurocities": [news("eurocities", "n3")]},
    ),
]


def build_database(path: Path) -> None:
    store = open_store(path)
    for when, results in RUNS:
        run_id = store.start_run(when)
        for source, result in results.items():
            outcome = SourceOutcome(source, source)
            if isinstance(result, str):
                outcome.ok, outcome.error = False, result
                store.save_failure(run_id, outcome, started=when, finished=when, unhealthy_after=1)
            else:
                store.save_success(run_id, outcome, result, started=when, finished=when)
        store.finish_run(run_id, when, ok=0, failed=0)
    with store.db.atomic():
        for item, areas in MATCHES.items():
            store.db["matches"].insert_all(
                {"item_id": item.id, "area": area, "score": score, "phrases": "[]"}
                for area, score in areas
            )
            store.db.execute(
                "UPDATE items SET relevant = ? WHERE id = ?",
                [int(item not in NOT_RELEVANT), item.id],
            )
        store.db.execute("UPDATE items SET relevant = 0 WHERE id = ?", [B.id])


@pytest.fixture
def project(tmp_path, monkeypatch):
    """sources.toml with the default rules beside a database of 2024-2026; today 2026-03-20."""
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    build_database(tmp_path / "monitor.db")
    monkeypatch.setenv("MONITOR_TODAY", TODAY.isoformat())
    return tmp_path


def run_report(runner, project: Path, *args: str, settings: str = "") -> str:
    config = project / "sources.toml"
    config.write_text(CONFIG.format(settings=settings), encoding="utf-8")
    result = runner.invoke(cli, ["--config", str(config), "report", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def md_tables(markdown: str) -> dict[str, list[list[str]]]:
    """Every Markdown table under the heading before it: rows of cells, header first."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    for block in markdown.split("\n\n"):
        lines = block.splitlines()
        if lines[0].startswith("#"):
            heading = lines[0].lstrip("# ")
        elif lines[0].startswith("|"):
            rows = [re.split(r"(?<!\\)\|", line)[1:-1] for line in lines]
            tables[heading] = [[cell.strip() for cell in row] for row in rows]
    return tables


def number(text: str) -> int:
    return int(text.strip("*").replace(NBSP, "").replace(",", ""))


# -- Markdown, Swedish --------------------------------------------------------------------


def test_intro_says_what_the_board_reads_first(runner, project):
    markdown = run_report(runner, project, "--year", "2025")
    assert markdown.startswith("# EU-bevakning: årsrapport 2025\n")
    assert "Period: 1 januari–31 december 2025. Skapad 20 mars 2026." in markdown
    assert (
        "Under 2025 bevakade den internationella gruppen 3 källor. "
        "7 nya utlysningar upptäcktes, varav 5 bedömdes relevanta för kommunens prioriterade "
        "områden. Flest relevanta utlysningar fanns inom Klimat och miljö (2), "
        "Demokrati, jämställdhet och inkludering (1) och Internationella partnerskap (1). "
        "6 utlysningar stängde under året, varav 4 relevanta."
    ) in markdown


def test_markdown_tables_are_well_formed(runner, project):
    markdown = run_report(runner, project, "--year", "2025")
    tables = md_tables(markdown)
    assert len(tables) >= 8
    for heading, rows in tables.items():
        assert all(len(row) == len(rows[0]) for row in rows), heading
        assert all(re.fullmatch(r"-{3}:?", cell) for cell in rows[1]), heading
    # A title with | and * stays in its cell and does not turn into emphasis.
    assert r"Medborgare \| jämlikhet \*och\* rättigheter" in markdown


def test_calls_per_area_month_and_programme(runner, project):
    tables = md_tables(run_report(runner, project, "--year", "2025"))
    areas = {row[0]: (number(row[1]), number(row[2])) for row in tables["Per område"][2:]}
    assert areas["Klimat och miljö"] == (2, 2)  # A, D; Z and A closed
    assert areas["Stadsutveckling och digitalisering"] == (1, 0)  # D; F failed the gate
    assert areas["Kultur och fritid"] == (1, 1)  # C, as its second area
    assert areas["Välfärd och hälsa"] == (0, 0)  # every priority area is shown
    assert len(areas) == 10

    months = {row[0]: (number(row[1]), number(row[2])) for row in tables["Per månad"][2:]}
    assert months["Januari"] == (3, 2)
    assert months["Mars"] == (0, 0)
    assert months["April"] == (1, 1)  # D, first seen 00:30 on 1 April Stockholm time
    assert months["Juni"] == (2, 1)
    assert months["December"] == (0, 0)  # G came 00:30 on New Year's Day: 2026
    assert months["**Hela året**"] == (7, 5)

    by_area_month = tables["Relevanta utlysningar per område och månad"]
    assert by_area_month[0][:3] == ["Område", "jan", "feb"] and by_area_month[0][-1] == "Totalt"
    climate = next(row for row in by_area_month if row[0] == "Klimat och miljö")
    assert [number(c) for c in climate[1:]] == [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2]

    programmes = {row[0]: (number(row[1]), number(row[2])) for row in tables["Per program"][2:]}
    assert programmes["LIFE: Programme for the Environment and Climate Action (LIFE)"] == (2, 1)
    assert programmes["DIGITAL"] == (1, 0)
    assert programmes["(program saknas)"] == (1, 1)


def test_closed_calls_by_area(runner, project):
    markdown = run_report(runner, project, "--year", "2025")
    assert (
        "6 utlysningar hade sista ansökningsdag under året; 4 av dem var relevanta och listas "
        "här, var och en under sitt främsta område."
    ) in markdown
    tables = md_tables(markdown)
    closed = markdown.split("## Utlysningar som stängde under 2025")[1].split("\n## ")[0]
    assert re.findall(r"^### (.+)$", closed, re.M) == [
        "Klimat och miljö",
        "Demokrati, jämställdhet och inkludering",
        "Internationella partnerskap",
    ]
    climate = tables["Klimat och miljö"]
    assert climate[0] == ["Utlysning", "Identifierare", "Program", "Sista dag", "Även område"]
    assert [row[3] for row in climate[2:]] == ["2025-02-28", "2025-04-10"]
    assert climate[3][1] == "[LIFE-2025-A](https://ec.europa.eu/topic-details/LIFE-2025-A)"
    assert tables["Demokrati, jämställdhet och inkludering"][2][4] == "Kultur och fritid"
    assert tables["Internationella partnerskap"][2][2] == "–"  # no programme given
    assert "DIGITAL-2025-F" not in closed and "LIFE-2025-B" not in closed  # not relevant
    assert "ERASMUS-2025-E" not in closed  # a later stage is still ahead


def test_sources_new_and_their_health(runner, project):
    tables = md_tables(run_report(runner, project, "--year", "2025"))
    assert tables["Nya källor under året"][2:] == [
        ["Interreg Östersjön", "2025-06-10"],
        ["old-feed", "2025-01-15"],  # no longer in sources.toml: shown by its id
    ]
    health = {row[0]: row[1:] for row in tables["Källornas drift under året"][2:]}
    assert tables["Källornas drift under året"][0][-1] == "Senaste fel"  # no "now" in a past year
    assert health["EU Funding & Tenders Portal"][:4] == [
        "5",
        "1",
        f"fungerade i 4 av 5 körningar (80{NBSP}%)",
        "6",
    ]
    assert health["EU Funding & Tenders Portal"][4] == "2025-11-02: timed out after 90 s"
    assert health["Interreg Östersjön"][:3] == [
        "3",
        "2",
        f"fungerade i 1 av 3 körningar (33,3{NBSP}%)",
    ]
    assert (
        health["Interreg Östersjön"][4]
        == r"2025-11-02: HTTP 503 Service Unavailable \| retry later"
    )
    assert health["old-feed"][:3] == ["3", "1", f"fungerade i 2 av 3 körningar (66,6{NBSP}%)"]
    assert "Eurocities nyheter" not in health  # first ran in 2026


def test_current_year_by_default_up_to_today(runner, project):
    markdown = run_report(runner, project)
    assert markdown.startswith("# EU-bevakning: årsrapport 2026\n")
    assert "Period: 1 januari–20 mars 2026 (året pågår)." in markdown
    assert "Under 2026 bevakade den internationella gruppen 3 källor. 2 nya utlysningar" in markdown
    tables = md_tables(markdown)
    assert [row[0] for row in tables["Per månad"][2:]] == [
        "Januari",
        "Februari",
        "Mars",
        "**Hela året**",
    ]
    assert tables["Nya källor under året"][2:] == [["Eurocities nyheter", "2026-01-20"]]
    health = {row[0]: row for row in tables["Källornas drift under året"][2:]}
    assert tables["Källornas drift under året"][0][-1] == "Läge nu"
    assert health["EU Funding & Tenders Portal"][-1] == "fungerar"
    assert health["Interreg Östersjön"][-1].startswith("fungerar inte: failed run: HTTP 500")
    # D's only deadline, 1 February 2026, has passed.
    assert "[HORIZON-2025-D](" in markdown.split("## Utlysningar som stängde under 2026")[1]


def add_failed_runs(path: Path, source: str, error: str, *days: int) -> None:
    """Runs in March 2026 in which `source` failed, each below the default unhealthy_after."""
    store = open_store(path)
    for day in days:
        when = utc(2026, 3, day, 7)
        run_id = store.start_run(when)
        outcome = SourceOutcome(source, source, ok=False, error=error)
        store.save_failure(run_id, outcome, started=when, finished=when, unhealthy_after=3)
        store.finish_run(run_id, when, ok=0, failed=1)
    store.close()


def test_share_of_successful_runs_in_words_that_match_it(runner, project):
    add_failed_runs(project / "monitor.db", "kommun-rss", "could not connect to rss.example", 1, 10)
    health = {
        row[0]: row
        for row in md_tables(run_report(runner, project))["Källornas drift under året"][2:]
    }
    # Two runs, both failed: 0 % in words, and not "fungerar" while it is below unhealthy_after.
    assert health["kommun-rss"][1:4] == ["2", "2", "fungerade inte i år"]
    assert health["kommun-rss"][-1] == "misslyckades senast: could not connect to rss.example"
    assert health["Eurocities nyheter"][3] == "fungerade alla körningar"
    assert health["Interreg Östersjön"][3] == f"fungerade i 2 av 3 körningar (66,6{NBSP}%)"

    english = md_tables(run_report(runner, project, settings='language = "en"'))
    rows = {row[0]: row for row in english["How the sources worked during the year"][2:]}
    assert rows["kommun-rss"][3] == "has not worked this year"
    assert rows["kommun-rss"][-1] == "failed its last run: could not connect to rss.example"
    assert rows["Eurocities nyheter"][3] == "worked in every run"
    assert rows["Interreg Östersjön"][3] == "worked in 2 of 3 runs (66.6%)"


def test_an_empty_year_says_so(runner, project):
    markdown = run_report(runner, project, "--year", "2019")
    assert markdown == (
        "# EU-bevakning: årsrapport 2019\n\n"
        "*Sammanställning för kommunstyrelsen. Period: 1 januari–31 december 2019. "
        "Skapad 20 mars 2026.*\n\n"
        "Det finns inga uppgifter för 2019: inga källor hämtades och inga utlysningar "
        "registrerades under året.\n"
    )
    html = run_report(runner, project, "--year", "2019", "--format", "html")
    assert "Det finns inga uppgifter för 2019" in html and "<svg" not in html


def test_english_on_request(runner, project):
    markdown = run_report(runner, project, "--year", "2025", settings='language = "en"')
    assert markdown.startswith("# EU monitoring: annual report 2025\n")
    assert (
        "In 2025 the international group monitored 3 sources. 7 new calls were found, of which "
        "5 were judged relevant to the municipality's priority areas. Most relevant calls were "
        "in Klimat och miljö (2), Demokrati, jämställdhet och inkludering (1) and "
        "Internationella partnerskap (1). 6 calls closed during the year, of which 4 relevant."
    ) in markdown
    tables = md_tables(markdown)
    assert tables["By month"][2][0] == "January"
    assert tables["How the sources worked during the year"][2][3] == "worked in 4 of 5 runs (80%)"


def test_calls_never_judged_are_not_called_irrelevant(runner, project):
    store = open_store(project / "monitor.db")
    with store.db.atomic():
        store.db.execute("UPDATE items SET relevant = NULL")
    markdown = run_report(runner, project, "--year", "2025")
    assert (
        "7 nya utlysningar upptäcktes. Utlysningarna har inte bedömts mot kommunens "
        "prioriterade områden."
    ) in markdown


def test_numbers_as_a_swedish_reader_writes_them():
    sv, en = ReportWords("sv"), ReportWords("en")
    assert sv.number(1240) == f"1{NBSP}240" and en.number(1240) == "1,240"
    assert sv.share(2998, 3000) == f"99,9{NBSP}%"  # rounded down: never a flattering 100 %
    assert sv.share(3000, 3000) == f"100{NBSP}%" and en.share(1, 3) == "33.3%"
    assert sv.share(0, 0) == "–"
    assert sv.n("intro_calls", 1) == "1 ny utlysning upptäcktes"
    assert sv.n("intro_relevant", 1).startswith(", varav 1 bedömdes relevant för")
    assert en.listing(["A (3)", "B (2)", "C (1)"]) == "A (3), B (2) and C (1)"


def test_without_rules_areas_are_their_ids(runner, project):
    markdown = run_report(runner, project, "--year", "2025", settings='rules = "no-rules"')
    assert "Flest relevanta utlysningar fanns inom klimat-miljo (2)," in markdown
    assert "Välfärd och hälsa" not in markdown  # only areas that have matches


# -- HTML ----------------------------------------------------------------------------------


class Page(HTMLParser):
    """What the checks need from the HTML: the lang, the chart's bars and title, the tables."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.external: list[str] = []
        self.bars: list[dict[str, str]] = []
        self.svg_title = ""
        self.tables: dict[str, list[list[str]]] = {}
        self._stack: list[str] = []
        self._heading = ""
        self._text = ""
        self._row: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._stack.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag in ("link", "script", "img") or (tag != "a" and "src" in attrs):
            self.external.append(tag)
        if tag == "rect" and "data-value" in attrs:
            self.bars.append(attrs)
        if tag == "table":
            self.tables[self._heading] = []
        if tag == "tr":
            self._row = []
        self._text = ""

    def handle_endtag(self, tag):
        if tag in ("h2", "h3"):
            self._heading = self._text.strip()
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._text.strip())
        if tag == "tr" and self._row is not None:
            self.tables[self._heading].append(self._row)
            self._row = None
        if tag == "title" and "svg" in self._stack and not self.svg_title:
            self.svg_title = self._text
        self._stack.pop()

    def handle_data(self, data):
        self._text += data


def test_html_is_one_file_with_a_chart_that_matches_its_table(runner, project):
    html = run_report(runner, project, "--year", "2025", "--format", "html")
    page = Page()
    page.feed(html)
    assert html.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in html
    assert page.lang == "sv" and page.external == []
    assert "<style>" in html and "http" not in html.split("<body>")[0]  # nothing to fetch
    assert page.svg_title == "Relevanta utlysningar per område och månad 2025"
    assert 'role="img"' in html and "<desc " in html

    table = page.tables["Relevanta utlysningar per område och månad"]
    months = table[0][1:-1]
    from_table = {
        (row[0], month): number(cell)
        for row in table[1:]
        for month, cell in zip(months, row[1:-1], strict=True)
        if number(cell)
    }
    from_chart = {
        (bar["data-series"], bar["data-label"]): int(bar["data-value"]) for bar in page.bars
    }
    assert from_chart == from_table
    assert from_chart[("Klimat och miljö", "apr")] == 1
    assert sum(from_chart.values()) == 7  # 5 calls, C and D in two areas each

    # The same content as the Markdown form.
    markdown = md_tables(run_report(runner, project, "--year", "2025"))
    assert page.tables["Per område"][1:] == [row for row in markdown["Per område"][2:]]
    assert "Under 2025 bevakade den internationella gruppen 3 källor." in html
    assert '<a href="https://ec.europa.eu/topic-details/LIFE-2025-A">LIFE-2025-A</a>' in html
    assert "Medborgare | jämlikhet *och* rättigheter" in html


def test_html_to_a_file_by_its_suffix(runner, project):
    out = project / "årsrapport-2025.html"
    config = project / "sources.toml"
    config.write_text(CONFIG.format(settings='language = "en"'), encoding="utf-8")
    result = runner.invoke(
        cli, ["--config", str(config), "report", "--year", "2025", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"Wrote the 2025 report to {out}." in result.stderr
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "<svg" in html
    assert [p.name for p in project.iterdir() if p.name.startswith(".årsrapport")] == []


# -- speed ---------------------------------------------------------------------------------


def test_no_query_scans_a_large_table(project):
    """Every query reaches items, matches and fetch_log by an index, whatever their size."""
    store = open_store(project / "monitor.db")
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    gather_report(
        store.db,
        year=2025,
        zone=ZoneInfo("Europe/Stockholm"),
        today=TODAY,
        area_names={},
        source_names={},
    )
    store.db.conn.set_trace_callback(None)
    assert len(statements) > 5
    for sql in statements:
        plan = [row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
        scans = [step for step in plan if re.match(r"SCAN (items|matches|fetch_log)\b", step)]
        assert scans == [], (sql, plan)
