"""Read-only queries for the CLI: full-text search with filters, and every item for export."""

from __future__ import annotations

import gc
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from monitor.errors import MonitorError
from monitor.models import DEFAULT_GROUP
from monitor.stemming import word_stems
from monitor.store.columns import items_of, quoted, select_list
from monitor.store.matches import any_matches
from monitor.vocabulary import Phrase, Query, Term, Vocabulary

if TYPE_CHECKING:
    from monitor.store.reader import Queryable

# The export's field names, in order; the JSON and CSV exports and `search --format` use them.
# A public format, so chosen and ordered by hand: item columns, the store's dates, the areas.
EXPORT_FIELDS = (
    "id",
    "source",
    "kind",
    "identifier",
    "call_identifier",
    "title",
    "url",
    "summary",
    "programme",
    "status",
    "opening_date",
    "deadline",
    "deadlines",
    "budget",
    "published",
    "first_seen",
    "last_seen",
    "areas",
    "relevance",
    "relevant",
    "score",
    "description",
    "conditions",
    "types_of_action",
    "programme_divisions",
    "tags",
    "cross_cutting_priorities",
    "expected_grants",
    "min_contribution",
    "max_contribution",
    "deadline_model",
)
# The fields that hold lists (stored as JSON text).
LIST_FIELDS = (
    "deadlines",
    "areas",
    "types_of_action",
    "programme_divisions",
    "tags",
    "cross_cutting_priorities",
)


def _select(group: str) -> str:
    """The select list of searches and exports: the item, its tier and areas for `group`."""
    areas = (
        "(SELECT json_group_array(area) FROM (SELECT area FROM matches"
        f" WHERE matches.item_id = items.id AND matches.group_id = {quoted(group)}"
        " ORDER BY score DESC, area))"
    )
    # programme_code rides along for the table view; the exports write EXPORT_FIELDS only.
    return (
        select_list(tuple(f for f in EXPORT_FIELDS if f not in ("areas", "relevant")))
        + ", items.relevance = 'relevant' AS relevant"
        + f", items.programme_code, {areas} AS areas"
    )


# What the table (cli/output.py write_table) shows of an item: `deadlines` as a table reads
# only these, and leaves the full texts and the areas in the database (at 1,000,000 items
# its 2,000-odd rows with every column were 3.4 MB as JSON, and as long to read).
TABLE_COLUMNS = ("id", "identifier", "status", "deadline", "programme_code", "title")


@dataclass(frozen=True)
class SearchFilters:
    status: str | None = None
    programme: str | None = None  # abbreviation ("LIFE") or part of the name
    kind: str | None = None
    deadline_before: date | None = None
    deadline_after: date | None = None
    area: str | None = None  # matched to this priority area
    source: str | None = None
    since: date | None = None  # first seen on or after
    not_closed: bool = False
    relevant_only: bool = False  # only what the rules put in the digest
    relevance: str | None = None  # only this tier: relevant, maybe or no

    def clauses(self, group: str = DEFAULT_GROUP) -> tuple[list[str], list[Any]]:
        """SQL conditions on `items` (as `group` judged them) and their arguments."""
        in_area = (
            f"items.id IN (SELECT item_id FROM matches WHERE group_id = {quoted(group)}"
            " AND area = ?)"
        )
        where: list[str] = []
        args: list[Any] = []
        simple = (
            ("items.status = ?", self.status),
            ("items.kind = ?", self.kind),
            ("items.source = ?", self.source),
            ("items.deadline <= ?", _iso(self.deadline_before)),
            ("items.deadline >= ?", _iso(self.deadline_after)),
            ("items.first_seen >= ?", _iso(self.since)),
            (in_area, self.area),
            ("items.relevance = ?", self.relevance),
        )
        for clause, value in simple:
            if value is not None:
                where.append(clause)
                args.append(value)
        if self.programme:
            where.append("(items.programme_code = ? COLLATE NOCASE OR items.programme LIKE ?)")
            args += [self.programme, f"%{self.programme}%"]
        if self.not_closed:
            where.append("items.status IN ('open', 'forthcoming')")
        if self.relevant_only:
            where.append("items.relevant = 1")
        return where, args


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def fts_query(text: str | Query) -> str:
    """User words (or a parsed query) -> an FTS5 query: every term must match, `klimat*` is a
    prefix, OR is kept, NOT leaves out what has the term after it (and its equivalents), and a
    term with equivalents (monitor.vocabulary) matches any of them. Only NOT terms: "".

    Each phrase is quoted so that identifiers (HORIZON-CL5-2027) and punctuation are searched as
    text instead of being read as FTS5 syntax. A plain word also matches by its Swedish or
    English stem, so `kommuner` finds `kommunen` and `cities` finds `city`.
    """
    terms = Vocabulary().terms(text, exact=True) if isinstance(text, str) else text
    wanted, left_out = _split_not(terms)
    parts = [part if isinstance(part, str) else _term_match(part) for part in wanted]
    # FTS5 wants AND spelled out before a parenthesised group; it binds tighter than OR.
    query = parts[:1]
    for previous, part in itertools.pairwise(parts):
        query.append(part if "OR" in (previous, part) else f"AND {part}")
    if not query or not left_out:
        return " ".join(query)
    # FTS5's NOT binds tightest: the wanted part in parentheses, so that `a OR b NOT c`
    # leaves c out of both.
    return f"({' '.join(query)})" + "".join(f" NOT {_term_match(t)}" for t in left_out)


def _split_not(terms: Query) -> tuple[Query, list[Term]]:
    """The query's wanted part (terms and ORs, none at either end) and its NOT terms."""
    wanted: Query = []
    left_out: list[Term] = []
    negate = False
    for part in terms:
        if part == "NOT":
            negate = True
        elif isinstance(part, Term) and negate:
            left_out.append(part)
            negate = False
        elif part != "OR" or (wanted and wanted[-1] != "OR"):
            wanted.append(part)
    while wanted and wanted[-1] == "OR":
        wanted.pop()
    return wanted, left_out


def left_out_terms(terms: Query) -> set[int]:
    """The positions in `terms` of the terms a NOT leaves out (for saying what matched)."""
    return {n for n in range(1, len(terms)) if terms[n - 1] == "NOT"}


def _term_match(term: Term) -> str:
    matches = [_phrase_match(phrase) for phrase in term.phrases]
    return matches[0] if len(matches) == 1 else f"({' OR '.join(matches)})"


def _phrase_match(phrase: Phrase) -> str:
    if phrase.loose:
        return "(" + " AND ".join(_phrase_match(word) for word in phrase.each_word) + ")"
    quoted = '"' + " ".join(phrase.words) + '"' + ("*" if phrase.prefix else "")
    if not phrase.stemmed:
        return quoted
    stems = " OR ".join(f'search_stems : "{s}"' for s in word_stems(phrase.words[0]))
    return f"({quoted} OR {stems})"


def search_items(
    db: Queryable,
    text: str | None,
    filters: SearchFilters,
    limit: int | None = 50,
    terms: Query | None = None,
    *,
    group: str = DEFAULT_GROUP,
) -> list[dict[str, Any]]:
    """Items matching `text` (best first) and the filters; without text, soonest deadline first;
    `group`'s items as it judged them. `terms`: the text already parsed, with its equivalents
    (monitor.vocabulary)."""
    sql, args = search_sql(text, filters, limit, terms, group=group)
    with _collector_paused():
        return [_decoded(row) for row in db.query(sql, args)]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Rows read and decoded are tuples, dicts, lists and strings, which hold no cycles for
    the garbage collector to find; but thousands of them start a collection every 700
    allocations, each walking what is alive, the rows so far included (decoding `deadlines`'
    2,111 rows at 1M items with earlier results alive: 37 ms, 12 ms paused)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def search_sql(
    text: str | None,
    filters: SearchFilters,
    limit: int | None = 50,
    terms: Query | None = None,
    *,
    group: str = DEFAULT_GROUP,
    table: bool = False,
) -> tuple[str, list[Any]]:
    """The SQL of a search and its arguments (benchmarks run the same query in sqlite3);
    `table`: only the TABLE_COLUMNS, for a search without text."""
    match = fts_query(terms if terms is not None else text or "")
    if text and not match:
        if "NOT" in (terms if terms is not None else Vocabulary().terms(text, exact=True)):
            raise MonitorError(
                f"the search '{text}' only says what to leave out (NOT): add a word to look for"
            )
        raise MonitorError(f"the search '{text}' has no words to look for")
    where, args = filters.clauses(group)
    if match:
        return _ranked_sql(match, where, args, limit, group)
    chosen = ", ".join(f"items.{c}" for c in TABLE_COLUMNS) if table else _select(group)
    sql = f"SELECT {chosen} FROM {items_of(group)}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    # With a deadline bound no deadline is NULL: the order without that term is the same, and
    # SQLite can take the deadline order from the (relevant, deadline) index and sort only
    # the titles of a day (`deadlines` returns every row, so the whole sort counted).
    bounded = filters.deadline_after is not None or filters.deadline_before is not None
    nulls_last = "" if bounded else "items.deadline IS NULL, "
    sql += f" ORDER BY {nulls_last}items.deadline, items.title"
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    return sql, args


def upcoming_deadlines(
    db: Queryable,
    today: date,
    within: int,
    *,
    area: str | None = None,
    everything: bool = False,
    group: str = DEFAULT_GROUP,
    table: bool = False,
) -> list[dict[str, Any]]:
    """Open and forthcoming calls with a deadline in the next `within` days, soonest first:
    only those `group`'s rules put in the digest unless `everything` (or nothing is matched
    yet). `table`: each row with the TABLE_COLUMNS only."""
    relevant_only = not everything and any_matches(db, group=group)
    filters = SearchFilters(
        kind="call",
        area=area,
        deadline_after=today,
        deadline_before=today + timedelta(days=within),
        not_closed=True,
        relevant_only=relevant_only,
    )
    if table:
        sql, args = search_sql(None, filters, None, group=group, table=True)
        with _collector_paused():
            return list(db.query(sql, args))
    return search_items(db, None, filters, limit=None, group=group)


# A search ranks (bm25) at most this many matches: the most recently stored that match the
# text and the filters. Ranking is most of a search's time, and a word as common as "climate"
# matches tens of thousands of calls in a database kept for years; below this bound (every
# search of a few years' calls) the order is exactly bm25's over every match.
RANKED = 5_000


def _ranked_sql(
    match: str, where: list[str], args: list[Any], limit: int | None, group: str
) -> tuple[str, list[Any]]:
    items = items_of(group)
    bound = None if limit is None else max(limit, RANKED)  # all asked for: all ranked
    conditions = " AND ".join(["items_fts MATCH ?", *where])
    hits = "SELECT items_fts.rowid AS hit, items_fts.rank AS rank FROM items_fts"
    if where or group != DEFAULT_GROUP:  # the filters read items; a group sees its own only
        hits += f" JOIN {items} ON items.rowid = items_fts.rowid"
    hits += f" WHERE {conditions}"
    args = [match, *args]
    if bound is not None:
        # FTS5 walks its matches newest first and ranks only the rows this LIMIT keeps.
        hits += " ORDER BY items_fts.rowid DESC LIMIT ?"
        args.append(bound)
    # The best `limit` hits are chosen before the join: sorting the joined rows read every
    # ranked item's row and areas (5,000 of them) to print 50. Equal ranks: the first stored
    # first, as FTS5 gave.
    order = "ORDER BY hits.rank, hits.hit"
    best = f"SELECT hit, rank FROM ({hits}) AS hits {order}"
    if limit is not None:
        best += " LIMIT ?"
        args.append(limit)
    sql = (
        f"SELECT {_select(group)} FROM ({best}) AS hits JOIN {items} ON items.rowid = hits.hit"
        f" {order}"
    )
    return sql, args


def all_items(
    db: Queryable,
    filters: SearchFilters | None = None,
    *,
    group: str = DEFAULT_GROUP,
) -> Iterator[dict[str, Any]]:
    """Every stored item of `group` (that passes the filters) with its areas, in a stable
    order."""
    where, args = (filters or SearchFilters()).clauses(group)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    sql = (
        f"SELECT {_select(group)} FROM {items_of(group)}{condition} ORDER BY items.source, items.id"
    )
    for row in db.query(sql, args):
        yield _decoded(row)


# json's scanner itself: json.loads spends most of its 0.8 µs on its checks and the whitespace
# around the value, which the stored arrays (json.dumps' output) have none of; `deadlines`
# decodes six lists on each of its thousands of rows.
# (scan_once is set in JSONDecoder.__init__, which typeshed does not declare.)
_scan_json: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _json_list(text: str | None) -> Any:
    if not text or text == "[]":
        return []
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        value, end = None, -1
    return value if end == len(text) else json.loads(text)  # anything else: json's own answer


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    for name in LIST_FIELDS:
        row[name] = _json_list(row[name])
    # true only for the main tier; None for an item the rules have not judged yet
    row["relevant"] = None if row["relevance"] is None else bool(row["relevant"])
    return row


def find_item(db: Queryable, key: str) -> dict[str, Any]:
    """A stored item by its id (eu-portal:LIFE-2026-...) or its call identifier, exactly as
    stored or else in any case (life-2026-sap-clima-cca: typed as an official types it)."""
    rows = list(db.query("SELECT * FROM items WHERE id = ?", [key]))
    row = rows[0] if rows else item_by_identifier(db, key)
    if row is None:
        row = _item_in_any_case(db, key)
    if row is None:
        raise MonitorError(f"no stored item has the id or identifier '{key}'")
    return row


def _item_in_any_case(db: Queryable, key: str) -> dict[str, Any] | None:
    # The identifier through its NOCASE index; an id in another case only when that finds none
    # (a scan, on the way to "not found" in practice).
    for column in ("identifier", "id"):
        rows = db.query(
            f"SELECT * FROM items WHERE {column} = ? COLLATE NOCASE ORDER BY kind, id LIMIT 1",
            [key],
        )
        row = next(iter(rows), None)
        if row is not None:
            return row
    return None


def item_by_identifier(db: Queryable, identifier: str) -> dict[str, Any] | None:
    """The item a call identifier names: a call before news, then the lowest id."""
    rows = db.query(
        "SELECT * FROM items WHERE identifier = ? ORDER BY kind, id LIMIT 1", [identifier]
    )
    return next(iter(rows), None)


def item_count(db: Queryable) -> int:
    return db.execute("SELECT COUNT(*) FROM items").fetchone()[0]


def known_filter_values(db: Queryable, *, group: str = DEFAULT_GROUP) -> dict[str, list[str]]:
    """What the stored items can be filtered by: their sources, programme codes and the areas
    `group` matched them to (so that a typo in a filter is an error, not an empty answer)."""
    sql = {
        "source": "SELECT DISTINCT source FROM items UNION SELECT source FROM source_state",
        "programme": "SELECT DISTINCT programme_code FROM items WHERE programme_code != ''",
        "area": f"SELECT DISTINCT area FROM matches WHERE group_id = {quoted(group)}",
    }
    return {key: sorted(r[0] for r in db.execute(q).fetchall() if r[0]) for key, q in sql.items()}


def programme_stored(db: Queryable, programme: str) -> bool:
    """Whether any stored item has this programme (its code, or part of its name)."""
    where, args = SearchFilters(programme=programme).clauses()
    sql = f"SELECT 1 FROM items WHERE {' AND '.join(where)} LIMIT 1"
    return db.execute(sql, args).fetchone() is not None
