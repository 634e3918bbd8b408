"""The speed-critical part of matching: every term piece in one index, every chunk cached.

Why not one regex per term: with ~1,000 terms that is ~1,000 scans of every text (the benchmark
measures it). Instead a text is split once on whitespace (`str.split`, in C) into chunks such as
`Klimatanpassning,` or `(LIFE)`. Each distinct chunk is analysed once per run and cached: its
tokens (see `text.py`) and, per token, the term pieces it satisfies, found with one dict lookup
for exact words, one lookup per distinct prefix/suffix length for `klimat*`/`*skola`, and a
substring test for the few `*infix*` terms. Per item, set operations in C pick out the new chunks
and the few chunks that hold any term piece; only those are looked at in Python. Phrases are
verified only where a chunk starts one and the pieces the next word must offer occur somewhere in
the text at all (one set test, which settles most starts without looking for their position),
by walking on through the cached tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import filterfalse
from typing import NamedTuple

from monitor.rules.terms import Kind, Piece
from monitor.rules.text import chunk_tokens

_NOTHING: frozenset[int] = frozenset()
CACHE_LIMIT = 200_000  # distinct chunks kept; cleared when full (bounded memory)


class Chunk(NamedTuple):
    """What one chunk holds: its tokens, the pieces each token satisfies, what it triggers."""

    tokens: tuple[str, ...]
    pieces: tuple[frozenset[int], ...]  # per token
    singles: tuple[tuple[int, str], ...]  # (term id, token) completed by one token
    first: frozenset[int] | None  # the pieces of the first token; None: no tokens (a lone dash)
    held: frozenset[int]  # the pieces of its tokens that can continue a phrase
    needs: frozenset[int]  # the pieces that would continue any phrase it starts
    # Phrases starting here, per token: (token index, the pieces the next token must offer one
    # of, ((term id, later pieces), ...)). Most starts fail at the next word: one set test.
    starts: tuple[tuple[int, frozenset[int], tuple[tuple[int, tuple[int, ...]], ...]], ...]
    reach: int  # how many chunks after this one its phrases can need (each has a token or more)


class TermIndex:
    """Term id -> its pieces, compiled into lookups; `find()` returns the term ids in a text."""

    def __init__(self, terms: Iterable[tuple[Piece, ...]]) -> None:
        piece_ids: dict[Piece, int] = {}
        term_pieces = []
        for pieces in terms:
            term_pieces.append(tuple(piece_ids.setdefault(p, len(piece_ids)) for p in pieces))
        self._exact: dict[str, int] = {}
        self._prefix: dict[str, int] = {}
        self._suffix: dict[str, int] = {}
        self._infix: list[tuple[str, int]] = []
        by_kind = {Kind.EXACT: self._exact, Kind.PREFIX: self._prefix, Kind.SUFFIX: self._suffix}
        for piece, pid in piece_ids.items():
            if piece.kind is Kind.INFIX:
                self._infix.append((piece.core, pid))
            else:
                by_kind[piece.kind][piece.core] = pid
        self._prefix_lens = sorted({len(core) for core in self._prefix})
        self._suffix_lens = sorted({len(core) for core in self._suffix})
        # Per piece: the terms it completes alone, and the phrases it starts.
        self._singles: list[list[int]] = [[] for _ in piece_ids]
        self._starts: list[list[tuple[int, tuple[int, ...]]]] = [[] for _ in piece_ids]
        for tid, pids in enumerate(term_pieces):
            if len(pids) == 1:
                self._singles[pids[0]].append(tid)
            else:
                self._starts[pids[0]].append((tid, pids[1:]))
        self.piece_count = len(piece_ids)
        self._continuing = frozenset(pids[1] for pids in term_pieces if len(pids) > 1)
        self._cache: dict[str, Chunk] = {}
        self._silent: set[str] = set()  # cached chunks without any term piece
        self._quiet: set[str] = set()  # cached chunks that complete or start no term
        self._held: dict[str, frozenset[int]] = {}  # cached chunks that can continue a phrase
        # (chunk, the chunks after it it can reach) -> the phrases it starts there, in order
        # (values are tuples: of strings and numbers only, the garbage collector stops walking
        # them, where a list would be walked at every full collection for as long as it is kept)
        self._windows: dict[tuple[str, ...], tuple[tuple[int, str], ...]] = {}
        self._piece_sets: dict[frozenset[int], frozenset[int]] = {}  # each distinct one kept once

    def _pieces_of(self, token: str) -> frozenset[int]:
        pids: set[int] = set()
        if (pid := self._exact.get(token)) is not None:
            pids.add(pid)
        size = len(token)
        for length in self._prefix_lens:
            if length > size:
                break
            if (pid := self._prefix.get(token[:length])) is not None:
                pids.add(pid)
        for length in self._suffix_lens:
            if length > size:
                break
            if (pid := self._suffix.get(token[-length:])) is not None:
                pids.add(pid)
        for core, pid in self._infix:
            if core in token:
                pids.add(pid)
        if not pids:
            return _NOTHING  # most tokens: one set for all, not one each for the collector
        found = frozenset(pids)
        return self._piece_sets.setdefault(found, found)

    def _analyse(self, chunk: str) -> bool:
        """Cache what `chunk` holds; False when no term can use it (it joins the silent)."""
        tokens = tuple(chunk_tokens(chunk))
        pieces = tuple(self._pieces_of(token) for token in tokens)
        singles = tuple(
            (tid, token)
            for token, pids in zip(tokens, pieces, strict=True)
            for pid in pids
            for tid in self._singles[pid]
        )
        starts = []
        for index, pids in enumerate(pieces):
            entries = tuple(entry for pid in pids for entry in self._starts[pid])
            if entries:
                starts.append((index, frozenset(rest[0] for _, rest in entries), entries))
        held = frozenset().union(*pieces) & self._continuing
        needs = frozenset().union(*(start[1] for start in starts))
        first = pieces[0] if pieces else None
        reach = max((len(rest) for start in starts for _, rest in start[2]), default=0)
        self._cache[chunk] = Chunk(
            tokens, pieces, singles, first, held, needs, tuple(starts), reach
        )
        if held:
            self._held[chunk] = held
        if singles or starts:
            return True
        self._quiet.add(chunk)
        if held:
            return True
        self._silent.add(chunk)  # neither completes, starts nor continues a phrase
        return False

    def find(self, chunks: list[str]) -> dict[int, str]:
        """Term id -> the words that matched it, for one text already split into chunks."""
        cache = self._cache
        if len(cache) >= CACHE_LIMIT or len(self._windows) >= CACHE_LIMIT:
            cache.clear()
            self._windows.clear()
            self._silent.clear()
            self._quiet.clear()
            self._held.clear()
            self._piece_sets.clear()
        # Most chunks are known to hold no piece: one set difference in C leaves the ones that
        # do and the ones never seen. All are analysed before any phrase is walked.
        holding = set(filterfalse(self._silent.__contains__, chunks))  # C, no set of them all
        if not holding:
            return {}
        for chunk in holding.difference(cache):  # in C: iterates `holding`, looks up the dict
            if not self._analyse(chunk):
                holding.discard(chunk)
        candidates = holding - self._quiet  # the chunks that complete or start a term
        if not candidates:
            return {}
        present: frozenset[int] | None = None  # every piece in the text, once a phrase starts
        held = self._held
        found: dict[int, str] = {}
        # Sorted so that a term matching several words reports the same one in every run
        # (set order changes with string hashing).
        for chunk in sorted(candidates):
            info = cache[chunk]
            for tid, token in info.singles:
                if tid not in found:
                    found[tid] = token
            if not info.starts:
                continue
            if present is None:
                present = frozenset().union(*map(held.__getitem__, held.keys() & holding))
            if info.needs.isdisjoint(present):
                continue  # the usual case: no word of the text continues its phrases
            self._walk(chunks, chunk, info, found)
        return found

    def _walk(self, chunks: list[str], chunk: str, info: Chunk, found: dict) -> None:
        """Complete the phrases that `chunk` starts, wherever it occurs.

        What a chunk starts at one place depends only on it and the `reach` chunks after it, so
        that answer is kept per window of chunks: the same words in the same order (a common
        phrase, a sentence used again) are walked once per run. A window holding a chunk
        without tokens (a lone dash) is not kept, since the phrase may need a chunk beyond it.
        """
        cache, windows = self._cache, self._windows
        reach = info.reach
        position = -1
        for _ in range(chunks.count(chunk)):
            position = chunks.index(chunk, position + 1)
            window = tuple(chunks[position : position + 1 + reach])
            phrases = windows.get(window)
            if phrases is None:
                phrases = tuple(self._phrases_at(chunks, position, info))
                if all(cache[later].first is not None for later in window[1:]):
                    windows[window] = phrases
            for tid, words in phrases:
                if tid not in found:
                    found[tid] = words

    def _phrases_at(self, chunks: list[str], position: int, info: Chunk) -> list[tuple[int, str]]:
        """(term id, words) of every phrase that chunk `position` (`info`) starts, in order."""
        cache = self._cache
        tokens = info.tokens
        last = len(tokens) - 1
        phrases: list[tuple[int, str]] = []
        for index, needed, entries in info.starts:
            after: str | None = None  # the next token, when it is at hand
            if index < last:
                following = info.pieces[index + 1]
                after = tokens[index + 1]
            elif position + 1 < len(chunks):
                next_info = cache[chunks[position + 1]]
                if next_info.first is None:  # a lone dash: the word after it
                    following = self._first_pieces_after(chunks, position)
                else:
                    following, after = next_info.first, next_info.tokens[0]
            else:
                following = _NOTHING
            if needed.isdisjoint(following):
                continue  # the usual case: the next word continues no phrase
            for tid, rest in entries:
                if rest[0] in following:
                    if after is not None and len(rest) == 1:  # two words: found already
                        phrases.append((tid, f"{tokens[index]} {after}"))
                        continue
                    words = self._phrase(chunks, position, index, rest)
                    if words is not None:
                        phrases.append((tid, words))
        return phrases

    def _first_pieces_after(self, chunks: list[str], position: int) -> frozenset[int]:
        """The pieces of the first token after chunk `position` (none at the end)."""
        cache = self._cache
        for later in range(position + 1, len(chunks)):
            pieces = cache[chunks[later]].pieces
            if pieces:
                return pieces[0]
        return _NOTHING

    def _phrase(
        self, chunks: list[str], position: int, index: int, rest: tuple[int, ...]
    ) -> str | None:
        """The words of the phrase starting at token `index` of chunk `position`, or None.

        Walks on through the cached tokens of the following chunks; a chunk without tokens
        (a lone dash) is skipped, as the tokeniser would.
        """
        cache = self._cache
        info = cache[chunks[position]]
        words = [info.tokens[index]]
        for pid in rest:
            index += 1
            while index >= len(info.tokens):
                position += 1
                if position >= len(chunks):
                    return None
                info, index = cache[chunks[position]], 0
            if pid not in info.pieces[index]:
                return None
            words.append(info.tokens[index])
        return " ".join(words)
