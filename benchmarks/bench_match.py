"""Benchmark: the matcher against the matcher of an earlier commit (the anchor), in the same run.

    .venv/bin/python benchmarks/bench_match.py [--items 100000] [--runs 3] [--anchor b5ccafc]
                                               [--naive-items 300]

Items are synthetic but built from real text: titles and sentences of the 341 portal calls
(tests/fixtures/eu_portal/open-calls/) and of the Swedish pages (tests/fixtures/se_text/),
mixed Swedish/English, a title plus a summary of a few hundred characters, some wrapped in HTML.

The anchor is `monitor/` as it was at `--anchor` (default: the matcher before issue 19's work),
taken from git into a temporary folder. The anchor and this checkout each run in their own
process, alternately `--runs` times, over the same items and the same `rules/`; each figure is
the median of its runs, so the ratio is measured under the same load. Each run matches every
item once with an empty token cache, as `monitor run` does. The first run of each also records
every item's whole verdict (relevance, tier, score, areas, phrases, the gate, the scorer's
contributions); the benchmark prints how many differ between the two, which must be 0.

The naive loop (one regex per term, the same word boundaries and text cleaning, run over every
field a term applies to) is timed on the first `--naive-items` items only, and must find exactly
the terms the index finds.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
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
# Appended, not inserted: an anchor's worker puts the anchor's `monitor` first (see `_run`).
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

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


def verdict_digest(verdict: object) -> str:
    """The whole verdict as a short fingerprint: equal fingerprints, equal verdicts."""
    record = json.dumps(dataclasses.asdict(verdict), sort_keys=True)  # type: ignore[call-overload]
    return hashlib.blake2b(record.encode(), digest_size=12).hexdigest()


def worker(count: int, digests: bool) -> dict[str, object]:
    """One timed run in this process: compile the rules, match every item once."""
    ruleset = load_rules(ROOT / "rules")
    items = synthetic_items(count)
    items_digest = hashlib.blake2b(json.dumps(items).encode(), digest_size=12).hexdigest()
    matcher = ruleset.compile()
    started = time.perf_counter()
    verdicts = [matcher.match(item) for item in items]
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "relevant": sum(v.relevant for v in verdicts),
        "items": items_digest,
        "verdicts": [verdict_digest(v) for v in verdicts] if digests else None,
    }


def _run(code: Path, count: int, digests: bool) -> dict:
    """`worker` in a fresh interpreter whose `monitor` package is the one in `code`."""
    program = (
        "import json, sys; "
        f"sys.path[:0] = [{str(code)!r}, {str(ROOT / 'benchmarks')!r}]; "
        "import bench_match; "
        f"print(json.dumps(bench_match.worker({count}, {digests})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(done.stdout)


def _extract(commit: str, into: Path) -> Path:
    """`monitor/` as it was at `commit`, written under `into`."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, "monitor"],
        check=True, capture_output=True, cwd=ROOT,
    ).stdout  # fmt: skip
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


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

    with tempfile.TemporaryDirectory() as folder:
        anchor_code = _extract(args.anchor, Path(folder))
        runs: dict[str, list[dict]] = {"anchor": [], "new": []}
        for turn in range(args.runs):
            for name, code in (("anchor", anchor_code), ("new", ROOT)):
                runs[name].append(_run(code, args.items, digests=turn == 0))
    rate = {
        name: args.items / statistics.median(r["seconds"] for r in done)
        for name, done in runs.items()
    }
    for name, label in (("anchor", f"anchor (matcher at {args.anchor})"), ("new", "this matcher")):
        each = ", ".join(f"{args.items / r['seconds']:,.0f}" for r in runs[name])
        print(f"{label}: {rate[name]:,.0f} items/s median of {args.runs} runs ({each})")
    print(f"ratio: {rate['new'] / rate['anchor']:.2f}x the anchor, measured in the same run")
    old, new = runs["anchor"][0], runs["new"][0]
    assert old["items"] == new["items"], "the two processes built different items"
    differing = sum(a != b for a, b in zip(old["verdicts"], new["verdicts"], strict=True))
    print(
        f"verdicts: {differing:,} of {args.items:,} differ from the anchor's "
        f"({new['relevant']:,} relevant; must be 0)"
    )

    sample = items[: args.naive_items]
    rules = naive_rules(matcher)
    started = time.perf_counter()
    naive_hits = [naive_match(rules, item) for item in sample]
    naive = time.perf_counter() - started
    print(
        f"naive regex loop: {len(sample) / naive:,.1f} items/s ({naive:.2f} s for the first "
        f"{len(sample):,} items, {len(rules)} regexes), "
        f"{rate['new'] / (len(sample) / naive):,.0f}x slower than this matcher"
    )
    index_of = {id(rule): index for index, rule in enumerate(matcher.rules)}
    same = sum(
        {index_of[id(h.rule)] for h in matcher.scan(item).hits} == hits
        for item, hits in zip(sample, naive_hits, strict=True)
    )
    print(f"agreement: {same:,} of {len(sample):,} items hit exactly the same terms in both")
    same = sum(matcher.match(item) == matcher.judge(matcher.scan(item)) for item in sample)
    print(f"  and {same:,} of {len(sample):,} get the verdict of the explain path (scan + judge)")
    if differing or same != len(sample):
        sys.exit(1)


if __name__ == "__main__":
    main()
