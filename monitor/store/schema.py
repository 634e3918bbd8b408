"""The database schema as numbered migrations, applied in order and recorded in user_version.

Each migration keeps what is stored (it adds, or renames a column whose meaning grew): a
database written by an older version keeps its data when opened by a newer one. Never edit a
released migration; append a new one. A migration imports no live code of the program: what it
computes is copied into this module as it was when released, so an old database migrated years
later gets the same result.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

# remove_diacritics 2: "malardalen" finds "Mälardalen", as officials type on any keyboard.
# Used by migrations 1 and 5: a new tokenizer belongs in a new migration.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (trigger bodies included) so that each runs with
    db.execute inside the migration's transaction; executescript would commit it early."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:60]}")


def _run(db: sqlite_utils.Database, script: str) -> None:
    for statement in _statements(script):
        db.execute(statement)


def _initial(db: sqlite_utils.Database) -> None:
    _run(
        db,
        """
        CREATE TABLE items (
            id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            uid TEXT NOT NULL,
            kind TEXT NOT NULL,
            identifier TEXT,
            call_identifier TEXT,
            call_title TEXT,
            title TEXT NOT NULL,
            url TEXT,
            summary TEXT NOT NULL DEFAULT '',
            programme TEXT,
            programme_code TEXT,
            status TEXT,
            source_status TEXT,
            opening_date TEXT,
            deadline TEXT,
            deadlines TEXT NOT NULL DEFAULT '[]',
            budget REAL,
            published TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            language TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL
        );
        CREATE INDEX items_source ON items(source);
        CREATE INDEX items_identifier ON items(identifier);
        CREATE INDEX items_call_identifier ON items(call_identifier);
        CREATE INDEX items_deadline ON items(deadline);
        CREATE INDEX items_first_seen ON items(first_seen);

        CREATE TABLE item_changes (
            id INTEGER PRIMARY KEY,
            item_id TEXT NOT NULL REFERENCES items(id),
            run_id INTEGER REFERENCES runs(id),
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX item_changes_item ON item_changes(item_id);
        CREATE INDEX item_changes_changed_at ON item_changes(changed_at);

        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started TEXT NOT NULL,
            finished TEXT,
            sources_ok INTEGER,
            sources_failed INTEGER
        );

        CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            source TEXT NOT NULL,
            started TEXT NOT NULL,
            finished TEXT NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            items_seen INTEGER NOT NULL DEFAULT 0,
            items_new INTEGER NOT NULL DEFAULT 0,
            items_changed INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            warnings TEXT
        );
        CREATE INDEX fetch_log_source ON fetch_log(source, run_id);

        CREATE TABLE source_state (
            source TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            last_success TEXT,
            last_failure TEXT,
            last_item_count INTEGER,
            last_error TEXT
        );

        CREATE TABLE cache (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated TEXT NOT NULL
        );

        CREATE TABLE matches (
            item_id TEXT NOT NULL REFERENCES items(id),
            area TEXT NOT NULL,
            score REAL NOT NULL,
            phrases TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (item_id, area)
        );
        """,
    )
    _create_search_index(db, ("title", "summary", "identifier", "programme"))


def _create_search_index(db: sqlite_utils.Database, columns: tuple[str, ...]) -> None:
    """The FTS5 index over `columns` of items, and the triggers that keep it in step.

    Written out rather than made by sqlite-utils' enable_fts: its triggers fire on any update,
    and touching last_seen, which every run does for every item, would rewrite the index.
    Released migrations use it: a different index is a new function.
    """
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    _run(
        db,
        f"""
        CREATE VIRTUAL TABLE items_fts USING FTS5 (
            {cols}, tokenize='{FTS_TOKENIZE}', content=items
        );
        CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
          INSERT INTO items_fts (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old});
        END;
        CREATE TRIGGER items_au AFTER UPDATE OF {cols} ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old});
          INSERT INTO items_fts (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        """,
    )


def _health_and_mentions(db: sqlite_utils.Database) -> None:
    """Source health, and the call identifiers that news items mention."""
    _run(
        db,
        """
        ALTER TABLE source_state ADD COLUMN healthy INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE source_state ADD COLUMN health_reason TEXT;
        ALTER TABLE source_state ADD COLUMN last_run TEXT;
        CREATE TABLE mentions (
            item_id TEXT NOT NULL REFERENCES items(id),
            identifier TEXT NOT NULL,
            PRIMARY KEY (item_id, identifier)
        );
        CREATE INDEX mentions_identifier ON mentions(identifier);
        """,
    )


def _relevance(db: sqlite_utils.Database) -> None:
    """Whether the rules put an item in the digest (NULL: not matched yet)."""
    _run(
        db,
        """
        ALTER TABLE items ADD COLUMN relevant INTEGER;
        ALTER TABLE items ADD COLUMN matched_at TEXT;
        CREATE INDEX items_relevant ON items(relevant);
        """,
    )


def _digests(db: sqlite_utils.Database) -> None:
    """Digests are recorded before they are sent, and each posted part with its Slack ts."""
    _run(
        db,
        """
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            created TEXT NOT NULL,
            period_start TEXT NOT NULL,
            period_end TEXT NOT NULL,
            language TEXT NOT NULL,
            mode TEXT NOT NULL,
            sent_at TEXT
        );
        CREATE TABLE digest_parts (
            id INTEGER PRIMARY KEY,
            digest_id INTEGER NOT NULL REFERENCES digests(id),
            seq INTEGER NOT NULL,
            key TEXT NOT NULL,
            channel TEXT NOT NULL,
            parent_seq INTEGER,
            text TEXT NOT NULL,
            blocks TEXT NOT NULL,
            ts TEXT,
            posted_at TEXT,
            UNIQUE (digest_id, seq)
        );
        CREATE TABLE digest_items (
            digest_id INTEGER NOT NULL REFERENCES digests(id),
            item_id TEXT NOT NULL,
            section TEXT NOT NULL,
            PRIMARY KEY (digest_id, item_id, section)
        );
        """,
    )


# Migration 5's stems, frozen as monitor/stemming.py made them when it was released: the
# search_stems a run writes from then on come from the live module.
_STEMS_5_WORD = re.compile(r"[^\W\d_]{3,}")


def _stems_5(rows: list[tuple[str, str | None, str | None]]) -> list[tuple[str, str]]:
    """(id, title, summary) -> (search_stems, id); stems cached per word, as the module did."""
    if not rows:  # a new database: no stemmer to load (all its ~30 languages, 80 ms)
        return []
    import snowballstemmer  # only this old migration stems here; start-up should not load it

    swedish, english = snowballstemmer.stemmer("swedish"), snowballstemmer.stemmer("english")
    cache: dict[str, tuple[str, ...]] = {}
    result = []
    for item_id, title, summary in rows:
        seen: dict[str, None] = {}
        for text in (title, summary):
            for word in _STEMS_5_WORD.findall((text or "").lower()):
                stems = cache.get(word)
                if stems is None:
                    sv, en = swedish.stemWord(word), english.stemWord(word)
                    stems = cache[word] = (sv,) if sv == en else (sv, en)
                for stem in stems:
                    seen.setdefault(stem, None)
        result.append((" ".join(seen), item_id))
    return result


def _stems(db: sqlite_utils.Database) -> None:
    """Swedish and English word stems in the search index, filled in for stored items."""
    _run(
        db,
        """
        ALTER TABLE items ADD COLUMN search_stems TEXT NOT NULL DEFAULT '';
        DROP TRIGGER items_ai;
        DROP TRIGGER items_ad;
        DROP TRIGGER items_au;
        DROP TABLE items_fts;
        """,
    )
    rows = db.execute("SELECT id, title, summary FROM items").fetchall()
    db.conn.executemany("UPDATE items SET search_stems = ? WHERE id = ?", _stems_5(rows))
    _create_search_index(db, ("title", "summary", "identifier", "programme", "search_stems"))
    db.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")


def _tiers(db: sqlite_utils.Database) -> None:
    """The relevance tier (relevant, maybe, no) and the learned score of each matched item.

    Items matched before keep their verdict as a tier: relevant = 1 is `relevant`, 0 is `no`
    (the next `monitor rules reapply` or run scores them)."""
    _run(
        db,
        """
        ALTER TABLE items ADD COLUMN relevance TEXT;
        ALTER TABLE items ADD COLUMN score REAL;
        UPDATE items SET relevance = CASE relevant WHEN 1 THEN 'relevant' WHEN 0 THEN 'no' END;
        CREATE INDEX items_relevance ON items(relevance);
        """,
    )


def _call_details(db: sqlite_utils.Database) -> None:
    """The full call text and facts of the portal's topic details; search reads the full text.

    `description` starts as the summary (an item without full text carries its summary there),
    so the search index can read `description` in place of `summary` and lose nothing. The
    stems need no refill: they were made from the title and this same text.
    """
    _run(
        db,
        """
        ALTER TABLE items ADD COLUMN description TEXT NOT NULL DEFAULT '';
        ALTER TABLE items ADD COLUMN conditions TEXT NOT NULL DEFAULT '';
        ALTER TABLE items ADD COLUMN types_of_action TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE items ADD COLUMN programme_divisions TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE items ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE items ADD COLUMN cross_cutting_priorities TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE items ADD COLUMN expected_grants INTEGER;
        ALTER TABLE items ADD COLUMN min_contribution REAL;
        ALTER TABLE items ADD COLUMN max_contribution REAL;
        ALTER TABLE items ADD COLUMN deadline_model TEXT;
        ALTER TABLE items ADD COLUMN details_url TEXT;
        UPDATE items SET description = summary;
        DROP TRIGGER items_ai;
        DROP TRIGGER items_ad;
        DROP TRIGGER items_au;
        DROP TABLE items_fts;
        """,
    )
    _create_search_index(db, ("title", "description", "identifier", "programme", "search_stems"))
    db.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")


def _announced_deadlines(db: sqlite_utils.Database) -> None:
    """The deadline each digest showed a call with, so that a later digest can tell whether it
    moved since (a call comes back under "Stänger snart" only then). Digests sent before this
    take the call's deadline as it is now: for them nothing has moved."""
    _run(
        db,
        """
        ALTER TABLE digest_items ADD COLUMN deadline TEXT;
        UPDATE digest_items SET deadline =
            (SELECT deadline FROM items WHERE items.id = digest_items.item_id);
        """,
    )


def _deadline_times(db: sqlite_utils.Database) -> None:
    """The time of day of each deadline where the source states one ("17:00" Brussels)."""
    _run(db, "ALTER TABLE items ADD COLUMN deadline_times TEXT NOT NULL DEFAULT '[]';")


def _tracking(db: sqlite_utils.Database) -> None:
    """What the international group did with a call, per förvaltning (unit): its state now and
    every change (`item_changes`-style: old and new state, who, note, amount in SEK), and the
    group's relevant/not-relevant judgements. Plain columns and ISO times, for Datasette. The
    NOCASE index lets a call be found by an identifier typed in any case."""
    _run(
        db,
        """
        CREATE TABLE tracking (
            item_id TEXT NOT NULL REFERENCES items(id),
            unit TEXT NOT NULL,
            state TEXT NOT NULL,
            amount INTEGER CHECK (amount IS NULL OR amount >= 0),
            note TEXT,
            changed_by TEXT,
            changed_at TEXT NOT NULL,
            PRIMARY KEY (item_id, unit)
        );
        CREATE TABLE tracking_changes (
            id INTEGER PRIMARY KEY,
            item_id TEXT NOT NULL REFERENCES items(id),
            unit TEXT NOT NULL,
            old_state TEXT,
            new_state TEXT NOT NULL,
            amount INTEGER CHECK (amount IS NULL OR amount >= 0),
            note TEXT,
            changed_by TEXT,
            changed_at TEXT NOT NULL
        );
        CREATE INDEX tracking_changes_item ON tracking_changes(item_id, unit);
        CREATE INDEX tracking_changes_changed_at ON tracking_changes(changed_at);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            item_id TEXT NOT NULL REFERENCES items(id),
            verdict TEXT NOT NULL CHECK (verdict IN ('relevant', 'not-relevant')),
            area TEXT,
            given_by TEXT,
            given_at TEXT NOT NULL
        );
        CREATE INDEX feedback_item ON feedback(item_id);
        CREATE INDEX items_identifier_nocase ON items(identifier COLLATE NOCASE);
        """,
    )


def _notifiers(db: sqlite_utils.Database) -> None:
    """A digest goes to several notifiers (Slack, Teams, e-mail), each sending its own messages:
    which notifiers a digest was recorded for, how each sends and when each was done; a part
    belongs to one notifier, its target is a Slack channel or empty, and its payload is what
    the notifier sends. Slack's parts so far become the Slack notifier's, their blocks a
    payload {"blocks": [...]}, so that a digest cut short before this still resumes."""
    _run(
        db,
        """
        CREATE TABLE digest_notifiers (
            digest_id INTEGER NOT NULL REFERENCES digests(id),
            notifier TEXT NOT NULL,
            mode TEXT NOT NULL,
            sent_at TEXT,
            dropped_at TEXT,
            PRIMARY KEY (digest_id, notifier)
        );
        INSERT INTO digest_notifiers (digest_id, notifier, mode, sent_at)
            SELECT id, 'slack', mode, sent_at FROM digests;
        ALTER TABLE digest_parts ADD COLUMN notifier TEXT NOT NULL DEFAULT 'slack';
        ALTER TABLE digest_parts RENAME COLUMN channel TO target;
        ALTER TABLE digest_parts RENAME COLUMN blocks TO payload;
        ALTER TABLE digest_parts RENAME COLUMN ts TO receipt;
        """,
    )
    rows = db.execute("SELECT id, payload FROM digest_parts").fetchall()
    for part_id, blocks in rows:
        payload = json.dumps({"blocks": json.loads(blocks)}, ensure_ascii=False)
        db.execute("UPDATE digest_parts SET payload = ? WHERE id = ?", [payload, part_id])


def _search_index_for_datasette(db: sqlite_utils.Database) -> None:
    """The search index declared with `content="items"` quoted: Datasette finds a table's FTS
    index only by that spelling (its detect_fts_sql matches `content="items"` or
    `content=[items]`), so its search box on `items` was missing. Same columns, rebuilt."""
    columns = ("title", "description", "identifier", "programme", "search_stems")
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    _run(
        db,
        f"""
        DROP TRIGGER items_ai;
        DROP TRIGGER items_ad;
        DROP TRIGGER items_au;
        DROP TABLE items_fts;
        CREATE VIRTUAL TABLE items_fts USING FTS5 (
            {cols}, tokenize='{FTS_TOKENIZE}', content="items"
        );
        CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
          INSERT INTO items_fts (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old});
        END;
        CREATE TRIGGER items_au AFTER UPDATE OF {cols} ON items BEGIN
          INSERT INTO items_fts (items_fts, rowid, {cols}) VALUES ('delete', old.rowid, {old});
          INSERT INTO items_fts (rowid, {cols}) VALUES (new.rowid, {new});
        END;
        """,
    )
    db.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")


def _groups(db: sqlite_utils.Database) -> None:
    """Several groups (kommuner) in one database: each judges, digests, tracks and gives
    feedback on the shared items on its own. What was stored before belongs to the group
    'default' (config.DEFAULT_GROUP), whose verdicts stay in `items` (relevant, relevance,
    score, matched_at), so a database without groups reads as before; every other group's
    verdicts are in `group_verdicts`. `matches` and `tracking` get the group in their keys."""
    _run(
        db,
        """
        CREATE TABLE group_verdicts (
            group_id TEXT NOT NULL,
            item_id TEXT NOT NULL REFERENCES items(id),
            relevant INTEGER,
            relevance TEXT,
            score REAL,
            matched_at TEXT,
            PRIMARY KEY (group_id, item_id)
        );
        CREATE INDEX group_verdicts_item ON group_verdicts(item_id);
        ALTER TABLE matches RENAME TO matches_before_groups;
        CREATE TABLE matches (
            item_id TEXT NOT NULL REFERENCES items(id),
            group_id TEXT NOT NULL DEFAULT 'default',
            area TEXT NOT NULL,
            score REAL NOT NULL,
            phrases TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (item_id, group_id, area)
        );
        INSERT INTO matches (item_id, area, score, phrases)
            SELECT item_id, area, score, phrases FROM matches_before_groups;
        DROP TABLE matches_before_groups;
        ALTER TABLE tracking RENAME TO tracking_before_groups;
        CREATE TABLE tracking (
            item_id TEXT NOT NULL REFERENCES items(id),
            group_id TEXT NOT NULL DEFAULT 'default',
            unit TEXT NOT NULL,
            state TEXT NOT NULL,
            amount INTEGER CHECK (amount IS NULL OR amount >= 0),
            note TEXT,
            changed_by TEXT,
            changed_at TEXT NOT NULL,
            PRIMARY KEY (item_id, group_id, unit)
        );
        INSERT INTO tracking (item_id, unit, state, amount, note, changed_by, changed_at)
            SELECT item_id, unit, state, amount, note, changed_by, changed_at
            FROM tracking_before_groups;
        DROP TABLE tracking_before_groups;
        ALTER TABLE tracking_changes ADD COLUMN group_id TEXT NOT NULL DEFAULT 'default';
        ALTER TABLE feedback ADD COLUMN group_id TEXT NOT NULL DEFAULT 'default';
        ALTER TABLE digests ADD COLUMN group_id TEXT NOT NULL DEFAULT 'default';
        CREATE INDEX digests_group ON digests(group_id, sent_at);
        """,
    )


def _deadlines_index(db: sqlite_utils.Database) -> None:
    """`deadlines` and the digest ask for relevant calls by deadline: one index range instead of
    every relevant row; it also serves `relevant = 1` alone, so the old index on it goes."""
    _run(
        db,
        """
        CREATE INDEX items_relevant_deadline ON items(relevant, deadline);
        DROP INDEX items_relevant;
        """,
    )


# The characters text.clean_text drops since it dropped controls, frozen as they were then:
# C0/C1 controls but whitespace, and the bidirectional overrides and isolates.
_INVISIBLE_15 = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CLEANED_15 = ("title", "summary", "call_title", "programme", "description")


def _invisible_characters(db: sqlite_utils.Database) -> None:
    """Items stored before text was cleaned of terminal escapes, bells and bidi overrides lose
    them too: a stored title with ESC would still colour `search`'s output, and one with U+202E
    still reach Slack, since an unchanged item is never written again."""
    columns = ", ".join(_CLEANED_15)
    for row in db.execute(f"SELECT id, {columns} FROM items").fetchall():
        values = dict(zip(_CLEANED_15, row[1:], strict=True))
        cleaned = {k: _INVISIBLE_15.sub("", v) for k, v in values.items() if isinstance(v, str)}
        changed = {k: v for k, v in cleaned.items() if v != values[k]}
        if changed:
            assignments = ", ".join(f"{k} = ?" for k in changed)
            db.execute(f"UPDATE items SET {assignments} WHERE id = ?", [*changed.values(), row[0]])
    for change_id, old, new in db.execute(
        "SELECT id, old, new FROM item_changes WHERE field IN ('title')"
    ).fetchall():
        clean_old = _INVISIBLE_15.sub("", old) if isinstance(old, str) else old
        clean_new = _INVISIBLE_15.sub("", new) if isinstance(new, str) else new
        if (clean_old, clean_new) != (old, new):
            db.execute(
                "UPDATE item_changes SET old = ?, new = ? WHERE id = ?",
                [clean_old, clean_new, change_id],
            )


def _areas_index(db: sqlite_utils.Database) -> None:
    """An item's areas are read in their order (score, then name) for each row a search or
    `deadlines` returns: from this index, without sorting them per row (a sort per row was
    a third of `deadlines`' query at 1,000,000 items)."""
    _run(db, "CREATE INDEX matches_item_order ON matches(item_id, group_id, score DESC, area);")


def _validators_for(db: sqlite_utils.Database) -> None:
    """The stored validators are sent again only for the request that got them: the request's
    fingerprint is kept beside them. Validators stored before have none, so each source's first
    run after this reads its answer in full once (an edited url got "not modified" before)."""
    _run(db, "ALTER TABLE source_state ADD COLUMN validators_for TEXT;")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [
    _initial,
    _health_and_mentions,
    _relevance,
    _digests,
    _stems,
    _tiers,
    _call_details,
    _announced_deadlines,
    _deadline_times,
    _tracking,
    _notifiers,
    _search_index_for_datasette,
    _groups,
    _deadlines_index,
    _invisible_characters,
    _areas_index,
    _validators_for,
]


def migrate(db: sqlite_utils.Database) -> int:
    """Apply the migrations this database has not had yet; return the schema version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        with db.atomic():
            migration(db)
            db.execute(f"PRAGMA user_version = {number}")
    return len(MIGRATIONS)
