"""Benchmark: one week of items matched for 290 groups (kommuner), each with its own overlay.

    .venv/bin/python benchmarks/bench_groups.py [--groups 290] [--news 62]

The week: the 341 real portal calls of tests/fixtures/eu_portal/open-calls/ (parsed by the
portal kind's own parser, matched with the fields the pipeline gives the matcher) plus `--news`
news and Swedish page items built from real text as bench_match.py builds them. Why that size:
the portal lists 341 open and forthcoming calls; by their opening dates about 7 open a week
(341 over 51 weeks with an opening, the busiest week 36), and the 31 other default sources
(feeds, pages, a calendar) give a few items a week each, taken here as 2 each (62). A run
matches new and changed items only, so a usual week is nearer 7 + changes + 62 ≈ 100 items;
the 403 here is the heavy week (a first run, a `rules reapply`, a portal that touched every
call), so the per-week figures are an upper bound.

The groups: 290 folders, each with a generated `_group.toml` (one common area switched off, an
area's threshold moved, three phrase weights changed and one phrase added), and one group in
five with an area of its own. The common rules are read once and every overlay put on them
(`overlay_rules`), as a deployment would.

Measured in the same run:
- loading and compiling the 290 rule sets;
- matching the week for each group with its own matcher;
- anchor: the same week matched 290 times with the one common matcher (what the same work
  costs without overlays; that matcher's chunk cache is warm after the first pass);
- second anchor: a matcher compiled from the common rules per group, each matching the week
  once (each cache starts cold, as each group's does; `--sample` of them measured, scaled):
  the difference to the groups is the overlays' own cost, the difference to the first anchor
  the cost of separate matchers;
- memory: tracemalloc of the 290 compiled matchers, and what a week's chunk cache adds to one
  (measured on `--sample`), and the process's RSS with all 290 kept after matching.
Times are wall and CPU seconds of this process; the ratios use CPU time, which other work on
a shared machine moves less.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_match import synthetic_items  # noqa: E402

from monitor.rules import Matcher, RuleSet, load_rules  # noqa: E402
from monitor.rules.overlay import overlay_rules  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "eu_portal" / "open-calls"
OWN_AREA_WORDS = (
    "hamn*", "skärgård*", "landsbygd*", "besöksnäring*", "vindkraft*", "gruv*", "fjäll*",
    "glesbygd*", "fiske*", "skog*", "rennäring*", "sjöfart*", "kustzon*", "harbour*",
    "rural*", "tourism*", "forestry", "mining",
)  # fmt: skip


def portal_calls() -> list[dict[str, str | None]]:
    """The 341 calls as the pipeline hands them to the matcher (matching.item_fields)."""
    import json

    from monitor.sources.eu_portal_parse import items_from_results, page_results, programme_names

    programmes = programme_names(json.loads((FIXTURES / "facet.json").read_text("utf-8")))
    rows = []
    for page in sorted(FIXTURES.glob("page-*.json")):
        rows += page_results(json.loads(page.read_text("utf-8")))[1]
    items = items_from_results(
        rows, source="eu-portal", programmes=programmes, today=date(2026, 8, 22)
    )
    return [
        {
            "title": item.title,
            "summary": item.summary,
            "programme": item.programme,
            "programme_code": item.programme_code,
            "keywords": " ".join(item.keywords) or None,
            "identifier": item.identifier,
            "call_identifier": item.call_identifier,
            "call_title": item.call_title,
            "description": item.description or item.summary,
            "conditions": item.conditions or None,
            "type_of_action": next(iter(item.types_of_action), None),
        }
        for item in items
    ]


def write_overlays(base: RuleSet, folder: Path, groups: int, seed: int = 16) -> list[Path]:
    """`groups` overlay folders: small, different, valid."""
    rng = random.Random(seed)
    plain = {
        area.id: sorted({t.text for t in area.terms if t.group is None}) for area in base.areas
    }
    folders = []
    for number in range(groups):
        path = folder / f"kommun-{number:03d}"
        path.mkdir()
        off = rng.choice(base.area_ids)
        kept = [a for a in base.area_ids if a != off]
        lines = [f'disable = ["{off}"]', "", "[thresholds]"]
        lines.append(f'"{rng.choice(kept)}" = {rng.choice((2, 3, 5, 6))}')
        for area_id in rng.sample(kept, 3):
            lines += ["", f"[weights.{area_id}.sv]"]
            lines.append(f'"{rng.choice(plain[area_id])}" = {rng.randint(1, 5)}')
        lines.append(f'"{rng.choice(OWN_AREA_WORDS)}" = 2')
        (path / "_group.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        if number % 5 == 0:
            words = rng.sample(OWN_AREA_WORDS, 5)
            terms = "\n".join(f'"{w}" = {rng.randint(1, 4)}' for w in words)
            (path / "egen.toml").write_text(
                f'id = "egen-{number}"\nname = "Eget område"\nthreshold = 3\n[terms.sv]\n{terms}\n',
                encoding="utf-8",
            )
        folders.append(path)
    return folders


def rss_mb() -> float:
    """The process's resident memory now (Linux /proc), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def match_week(
    matchers: list[Matcher], week: list[dict[str, str | None]]
) -> tuple[float, float, list]:
    """(wall seconds, CPU seconds, verdicts per matcher): the machine is shared, so the CPU
    time of this process says more than the wall clock when others are busy. The garbage
    collector is off while timing (as timeit does): with 290 matchers' caches alive, its full
    passes would time the heap's size, not the matching, and differ from phase to phase."""
    gc.collect()
    gc.disable()
    try:
        started, cpu = time.perf_counter(), time.process_time()
        verdicts = [[m.match(item) for item in week] for m in matchers]
        return time.perf_counter() - started, time.process_time() - cpu, verdicts
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=290)
    parser.add_argument("--news", type=int, default=62)
    parser.add_argument("--sample", type=int, default=29, help="groups for the cold anchor")
    args = parser.parse_args()

    week = portal_calls() + synthetic_items(args.news, seed=16)
    print(
        f"week: {len(week)} items ({len(week) - args.news} portal calls + {args.news} news), "
        f"{args.groups} groups, {len(week) * args.groups:,} item x group matches"
    )
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        base = load_rules(ROOT / "rules")
        common = base.compile()
        common_s = time.perf_counter() - started
        folders = write_overlays(base, Path(tmp), args.groups)
        own = sum((f / "egen.toml").exists() for f in folders)

        gc.collect()
        gc.disable()  # as in match_week
        started = time.perf_counter()
        rulesets = [overlay_rules(base, f, f.name) for f in folders]
        loaded = time.perf_counter() - started
        matchers = [r.compile() for r in rulesets]
        load_s = time.perf_counter() - started
        gc.enable()
    print(
        f"groups' overlays: {args.groups} ({own} with an area of their own), "
        f"{sum(len(r.areas) for r in rulesets) / len(rulesets):.1f} areas each on average"
    )
    print(
        f"load + compile: {load_s:.2f} s for {args.groups} rule sets "
        f"({loaded:.2f} s overlays, {load_s - loaded:.2f} s compiling; "
        f"{load_s / args.groups * 1000:.1f} ms a group); the common rules alone {common_s:.2f} s"
    )

    pairs = len(week) * args.groups
    groups_s, groups_cpu, verdicts = match_week(matchers, week)
    anchor_s, anchor_cpu, common_verdicts = match_week([common] * args.groups, week)
    sample = min(args.sample, args.groups)
    fresh_s, fresh_cpu, _ = match_week([base.compile() for _ in range(sample)], week)
    fresh_s, fresh_cpu = fresh_s * args.groups / sample, fresh_cpu * args.groups / sample
    print(
        f"groups, each its own matcher: {groups_s:.1f} s ({groups_cpu:.1f} s CPU), "
        f"{pairs / groups_s:,.0f} items x groups/s; {groups_cpu / args.groups * 1000:.0f} ms CPU "
        "a group a week"
    )
    print(
        f"anchor, one common matcher x{args.groups}: {anchor_s:.1f} s ({anchor_cpu:.1f} s CPU), "
        f"{pairs / anchor_s:,.0f} items x groups/s"
    )
    print(
        f"anchor, a common matcher per group (cold caches; {sample} measured, scaled to "
        f"{args.groups}): {fresh_s:.1f} s ({fresh_cpu:.1f} s CPU), {pairs / fresh_s:,.0f} "
        "items x groups/s"
    )
    print(
        f"ratio (CPU): groups / one common matcher {groups_cpu / anchor_cpu:.2f}x, "
        f"groups / a common matcher per group {groups_cpu / fresh_cpu:.2f}x"
    )
    differ = sum(
        a.tier != b.tier or a.area_ids != b.area_ids
        for mine, theirs in zip(verdicts, common_verdicts, strict=True)
        for a, b in zip(mine, theirs, strict=True)
    )
    main_list = sum(v.relevant for mine in verdicts for v in mine)
    print(
        f"verdicts: {differ:,} of {pairs:,} item x group verdicts differ from the common rules' "
        f"(tier or areas); {main_list / args.groups:.1f} items a group in the main list"
    )
    rss_matched = rss_mb()

    del matchers, rulesets, verdicts, common_verdicts
    gc.collect()
    tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        folders = write_overlays(base, Path(tmp), args.groups)
        start_bytes = tracemalloc.get_traced_memory()[0]
        matchers = [overlay_rules(base, f, f.name).compile() for f in folders]
    compiled = tracemalloc.get_traced_memory()[0] - start_bytes
    for matcher in matchers[:sample]:
        for item in week:
            matcher.match(item)
    cached = (tracemalloc.get_traced_memory()[0] - start_bytes - compiled) / sample
    tracemalloc.stop()
    print(
        f"memory (tracemalloc): {compiled / 1e6:.0f} MB for {args.groups} compiled matchers "
        f"({compiled / args.groups / 1e6:.2f} MB each); a week's chunk cache adds "
        f"{cached / 1e6:.1f} MB a matcher ({sample} measured), so {args.groups} matchers kept "
        f"with their caches ~{(compiled + cached * args.groups) / 1e9:.1f} GB; RSS "
        f"{rss_matched:,.0f} MB after the timed matching (all {args.groups} kept)"
    )


if __name__ == "__main__":
    main()
