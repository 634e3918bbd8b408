"""The speed-critical part of matching: every term piece in one index, every chunk cached.

Why not one regex per term: with ~1,000 terms that is ~1,000 scans of every text (the benchmark
measures it). Instead a text is split once on whitespace (`str.split`, in C) into chunks such as
`Klimatanpassning,` or `(LIFE)`. Each distinct chunk is analysed once per run and cached: its
tokens (see `text.py`) and, per token, the term pieces it satisfies, found with one dict lookup
for exact words, one lookup per distinct prefix/suffix length for `klimat*`/`*skola`, and a
substring test for the few `*infix*` terms. Per item, set operations in C pick out the new chunks
and the few chunks that hit anything; only those are looked at in Python. Phrases are verified
only where a chunk starts one, by walking on through the cached tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    # Phrases starting here, per token: (token index, the pieces the next token must offer one
    # of, ((term id, later pieces), ...)). Most starts fail at the next word: one set test.
    starts: tuple[tuple[int, frozenset[int], tuple[tuple[int, tuple[int, ...]], ...]], ...]


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
        self._cache: dict[str, Chunk] = {}
        self._quiet: set[str] = set()  # cached chunks that complete or start no term

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
        return frozenset(pids)

    def _analyse(self, chunk: str) -> bool:
        """Cache what `chunk` holds; True when it hits something (else it joins the quiet)."""
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
        self._cache[chunk] = Chunk(tokens, pieces, singles, tuple(starts))
        if singles or starts:
            return True
        self._quiet.add(chunk)
        return False

    def find(self, chunks: list[str]) -> dict[int, str]:
        """Term id -> the words that matched it, for one text already split into chunks."""
        cache = self._cache
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
            self._quiet.clear()
        # Most chunks are known to hit nothing: one set difference in C leaves the chunks that
        # hit something and the ones never seen. All are analysed before any phrase is walked.
        candidates = set(chunks) - self._quiet
        if not candidates:
            return {}
        for chunk in [c for c in candidates if c not in cache]:
            if not self._analyse(chunk):
                candidates.discard(chunk)
        found: dict[int, str] = {}
        # Sorted so that a term matching several words reports the same one in every run
        # (set order changes with string hashing).
        for chunk in sorted(candidates):
            info = cache[chunk]
            for tid, token in info.singles:
                found.setdefault(tid, token)
            if not info.starts:
                continue
            last = len(info.tokens) - 1
            position = -1
            for _ in range(chunks.count(chunk)):
                position = chunks.index(chunk, position + 1)
                for index, needed, entries in info.starts:
                    if index < last:
                        following = info.pieces[index + 1]
                    else:
                        following = self._first_pieces_after(chunks, position)
                    if needed.isdisjoint(following):
                        continue  # the usual case: the next word continues no phrase
                    for tid, rest in entries:
                        if tid not in found and rest[0] in following:
                            words = self._phrase(chunks, position, index, rest)
                            if words is not None:
                                found[tid] = words
        return found

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
