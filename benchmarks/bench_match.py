"""Benchmark: the matcher against the matcher of an earlier commit (the anchor), in the same run.

    .venv/bin/python benchmarks/bench_match.py [--items 100000] [--runs 3] [--anchor b5ccafc]
                                               [--naive-items 300]

Items are synthetic but built from real text: titles and sentences of the 341 portal calls
(tests/fixtures/eu_portal/open-calls/) and of the Swedish pages (tests/fixtures/se_text/),
mixed Swedish/English, a title plus a summary of a few hundred characters, some wrapped in HTML.

The anchor is `monitor/` as it was at `--anchor` (default: main before issue 19's work), taken
from git and imported beside this checkout as `anchor_monitor`, so both matchers run in one
process over the same items and the same `rules/`, taking turns every 500 items: both meet the
same load on a shared machine. Each of `--runs` runs compiles both afresh (an empty token
cache, as `monitor run` has) and matches every item once; each figure is the median of the
runs, in CPU seconds of this process (wall clock beside it), with the share of it spent in the
garbage collector. Each batch's verdicts are fingerprinted, untimed, and dropped, as `monitor`
drops a verdict once it is stored. Every item's whole verdict (relevance, tier, score, areas,
phrases, the gate, the scorer's contributions) is compared between the two; the count that
differ must be 0.

The naive loop (one regex per term, the same word boundaries and text cleaning, run over every
field a term applies to) is timed on the first `--naive-items` items only, and must find exactly
the terms the index finds.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import importlib
import io
import json
import random
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.rules import load_rules  # noqa: E402
from monitor.rules.matcher import FIELD_OF_KEY, Matcher  # noqa: E402
from monitor.rules.terms import Kind, Piece  # noqa: E402
from monitor.rules.text import clean_html, normalise  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def text_pools() -> tuple[list[str], list[str], list[str], list[str]]:
    """(English titles, English sentences, Swedish lines, programme names) from the fixtures."""
    titles, sentences = [], []
    for page in sorted((FIXTURES / "eu_portal" / "open-calls").glob("page-*.json")):
        for row in json.loads(page.read_text(encoding="utf-8"))["results"]:
            meta = row["metadata"]
            titles.append(meta["title"][0])
            body = clean_html(" ".join(meta.get("descriptionByte") or []))
            sentences += [s.strip() for s in _SENTENCE_END.split(body) if len(s.strip()) > 30]
    swedish = []
    for path in sorted((FIXTURES / "se_text").glob("*.txt")):
        lines = _SENTENCE_END.split(path.read_text(encoding="utf-8"))
        swedish += [s.strip(" •\t") for s in lines if 30 < len(s.strip()) < 400]
    facets = json.loads((FIXTURES / "eu_portal" / "open-calls" / "facet.json").read_text())
    programmes = [
        v["value"]
        for f in facets["facets"]
        if f["name"] == "frameworkProgramme"
        for v in f["values"]
    ]
    return titles, sentences, swedish, programmes


def synthetic_items(count: int, seed: int = 4) -> list[dict[str, str | None]]:
    titles, sentences, swedish, programmes = text_pools()
    rng = random.Random(seed)
    items = []
    for _ in range(count):
        swedish_share = rng.choice((0.0, 0.2, 0.5, 0.8, 1.0))
        parts: list[str] = []
        while sum(map(len, parts)) < rng.randint(250, 600):
            parts.append(rng.choice(swedish if rng.random() < swedish_share else sentences))
        summary = " ".join(parts)
        if rng.random() < 0.3:
            summary = "<p>" + summary.replace(". ", ".</p><p>", 2) + "</p>"
        title = rng.choice(titles) if rng.random() >= swedish_share else rng.choice(swedish)[:120]
        items.append(
            {
                "title": title,
                "summary": summary,
                "programme": rng.choice(programmes) if rng.random() < 0.5 else None,
            }
        )
    return items


# -- the naive baseline -----------------------------------------------------------------------

_IN = r"[^\W_]"  # a letter or digit: what tokens are made of
_START = rf"(?<!{_IN})(?<!{_IN}-)"  # not inside a token (a hyphen between letters joins)
_END = rf"(?!{_IN})(?!-{_IN})"
_REST = rf"(?:{_IN}|-(?={_IN}))*"  # the rest of the current token


def piece_regex(piece: Piece) -> str:
    core = re.escape(piece.core)
    if piece.kind is Kind.EXACT:
        return f"{_START}{core}{_END}"
    if piece.kind is Kind.PREFIX:
        return f"{_START}{core}{_REST}"
    if piece.kind is Kind.SUFFIX:
        return f"{_START}{_REST}{core}{_END}"
    return f"{_START}{_REST}{core}{_REST}"


def naive_rules(matcher: Matcher) -> list[tuple[int, re.Pattern[str], frozenset[str]]]:
    """One compiled regex per term: (rule index, pattern, fields it applies to)."""
    compiled = []
    for index, rule in enumerate(matcher.rules):
        pattern = r"(?:[\W_])+".join(piece_regex(p) for p in rule.term.pieces)
        compiled.append((index, re.compile(pattern), rule.fields))
    return compiled


def naive_match(rules, item: dict[str, str | None]) -> set[int]:
    texts = {}
    for key, value in item.items():
        if value:
            field = FIELD_OF_KEY.get(key, "summary")
            texts[field] = texts.get(field, "") + " \n " + normalise(value)
    return {
        index
        for index, pattern, fields in rules
        if any(pattern.search(texts[f]) for f in fields if f in texts)
    }


ANCHOR = "b5ccafc"  # main before issue 19: the matcher of 20.7k items/s in the issue
_IMPORT_RE = re.compile(r"^(\s*)(from|import) monitor\b", re.MULTILINE)
BATCH = 500  # items matched by one matcher before the other takes its turn


def verdict_digest(verdict: object) -> str:
    """The whole verdict as a short fingerprint: equal fingerprints, equal verdicts."""
    record = json.dumps(dataclasses.asdict(verdict), sort_keys=True)  # type: ignore[call-overload]
    return hashlib.blake2b(record.encode(), digest_size=12).hexdigest()


def anchor_rules(commit: str, into: Path):
    """The `monitor.rules` package as it was at `commit`, imported as `anchor_monitor.rules`:
    `monitor/` taken from git into `into`, its imports renamed, so both run in this process."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "monitor"],
        check=True, capture_output=True, cwd=ROOT,
    ).stdout  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    package = into / "anchor_monitor"
    (into / "monitor").rename(package)
    for path in package.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(_IMPORT_RE.sub(r"\1\2 anchor_monitor", text), encoding="utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("anchor_monitor.rules")


class CollectorTime:
    """CPU seconds the garbage collector has taken since this was made (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.process_time()
        else:
            self.seconds += time.process_time() - self._started


COLLECTOR = CollectorTime()


def timed_side_by_side(matchers: dict[str, object], items: list) -> dict[str, dict]:
    """Each matcher over every item once, starting with an empty cache, taking turns batch by
    batch (so both meet the same load on a shared machine); CPU and wall seconds per matcher,
    and every verdict's fingerprint.

    Each batch's verdicts are fingerprinted and dropped after it is timed, as
    `matching.match_and_store` drops each verdict once it has its stored form. Keeping 100,000
    verdicts of each matcher alive instead made every full pass of the garbage collector walk
    them all, and which matcher paid for a pass was a matter of which one happened to be
    allocating when it came due (a handful of passes, 0.1-0.3 s each, in a 2-second run)."""
    done = {
        name: {"cpu": 0.0, "wall": 0.0, "gc": 0.0, "verdicts": [], "relevant": 0}
        for name in matchers
    }
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        turn = list(matchers.items())
        if (start // BATCH) % 2:
            turn.reverse()  # neither always goes first
        for name, matcher in turn:
            match = matcher.match  # type: ignore[attr-defined]
            wall, cpu, collected = time.perf_counter(), time.process_time(), COLLECTOR.seconds
            verdicts = [match(item) for item in batch]
            done[name]["cpu"] += time.process_time() - cpu
            done[name]["gc"] += COLLECTOR.seconds - collected
            done[name]["wall"] += time.perf_counter() - wall
            done[name]["relevant"] += sum(v.relevant for v in verdicts)
            done[name]["verdicts"] += [verdict_digest(v) for v in verdicts]
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--anchor", default=ANCHOR, help="git commit of the anchor's matcher")
    parser.add_argument("--naive-items", type=int, default=300)
    args = parser.parse_args()

    ruleset = load_rules(ROOT / "rules")
    started = time.perf_counter()
    matcher = ruleset.compile()
    compile_ms = (time.perf_counter() - started) * 1000
    kinds = {kind: 0 for kind in Kind}
    for piece in {p for rule in matcher.rules for p in rule.term.pieces}:
        kinds[piece.kind] += 1
    print(
        f"rules: {len(ruleset.areas)} areas + gate, {len(matcher.rules)} terms "
        f"({', '.join(f'{n} {k.value}' for k, n in kinds.items())} word pieces), "
        f"compiled in {compile_ms:.0f} ms"
    )
    items = synthetic_items(args.items)
    chars = sum(len(i["title"] or "") + len(i["summary"] or "") for i in items) / len(items)
    print(f"items: {len(items):,} synthetic, {chars:.0f} characters of title + summary on average")

    folder = tempfile.TemporaryDirectory()  # removed at exit: the anchor imports from it
    old_rules = anchor_rules(args.anchor, Path(folder.name))
    runs: dict[str, list[dict]] = {"anchor": [], "new": []}
    for _ in range(args.runs):
        fresh = {  # compiled afresh each run: an empty token cache, as `monitor run` has
            "anchor": old_rules.load_rules(ROOT / "rules").compile(),
            "new": load_rules(ROOT / "rules").compile(),
        }
        for name, record in timed_side_by_side(fresh, items).items():
            runs[name].append(record)
    rate = {n: args.items / statistics.median(r["cpu"] for r in done) for n, done in runs.items()}
    wall = {n: args.items / statistics.median(r["wall"] for r in done) for n, done in runs.items()}
    for name, label in (("anchor", f"anchor (matcher at {args.anchor})"), ("new", "this matcher")):
        each = ", ".join(f"{args.items / r['cpu']:,.0f}" for r in runs[name])
        collected = sum(r["gc"] for r in runs[name]) / sum(r["cpu"] for r in runs[name])
        print(
            f"{label}: {rate[name]:,.0f} items per CPU second, median of {args.runs} runs "
            f"({each}); {wall[name]:,.0f} items/s wall clock; {collected:.0%} of its CPU time "
            "in the garbage collector"
        )
    print(
        f"ratio: {rate['new'] / rate['anchor']:.2f}x the anchor in CPU time "
        f"({wall['new'] / wall['anchor']:.2f}x wall clock), measured side by side in one process"
    )
    old, new = runs["anchor"][0], runs["new"][0]
    differ = [
        n for n, (a, b) in enumerate(zip(old["verdicts"], new["verdicts"], strict=True)) if a != b
    ]
    # An anchor from before the negation rule (rules/negation.py) counts an applicant phrase
    # that a text negates ("cities are not eligible"); those items differ by design, the rest
    # must not.
    negated = [n for n in differ if matcher.scan(items[n]).negated]
    differing = len(differ) - len(negated)
    print(
        f"verdicts: {differing:,} of {args.items:,} differ from the anchor's "
        f"({new['relevant']:,} relevant; must be 0), besides {len(negated):,} whose applicant "
        "phrase is in a negated clause (the negation rule, if the anchor predates it)"
    )

    sample = items[: args.naive_items]
    rules = naive_rules(matcher)
    started = time.perf_counter()
    naive_hits = [naive_match(rules, item) for item in sample]
    naive = time.perf_counter() - started
    print(
        f"naive regex loop: {len(sample) / naive:,.1f} items/s wall clock ({naive:.2f} s for the "
        f"first {len(sample):,} items, {len(rules)} regexes)"
    )
    index_of = {id(rule): index for index, rule in enumerate(matcher.rules)}
    agree = sum(
        {index_of[id(h.rule)] for h in matcher.scan(item).hits} == hits
        for item, hits in zip(sample, naive_hits, strict=True)
    )
    print(f"agreement: {agree:,} of {len(sample):,} items hit exactly the same terms in both")
    same = sum(matcher.match(item) == matcher.judge(matcher.scan(item)) for item in sample)
    print(f"  and {same:,} of {len(sample):,} get the verdict of the explain path (scan + judge)")
    if differing or agree != len(sample) or same != len(sample):
        sys.exit(1)


if __name__ == "__main__":
    main()
