"""The entries' Merkle tree (docs/RULES.md, "The draw"): one leaf per ticket in the draw, sorted
by ticket id, each naming the ticket and its buyer's public pseudonym; a proof lets a buyer check
their ticket against the published root without the whole list.

- leaf = SHA-256(0x00 ‖ ticket id ‖ 0x0A ‖ pseudonym)
- node = SHA-256(0x01 ‖ left ‖ right); at each level a last node without a partner moves up
  unchanged, so the node over leaves [j·2^h, (j+1)·2^h) is the root of those leaves alone, and a
  chunk of CHUNK leaves (a power of two) is a whole subtree: a proof is the chunk's own path and
  the path above the chunk, stored with it.
- A proof is the siblings from the leaf up, 32 bytes each; the leaf's index and the leaf count
  say at which levels there is one and on which side.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from tombola.domain.errors import DrawError

CHUNK = 1024  # leaves per stored chunk of the ticket list: a power of two
_LEAF, _NODE = b"\x00", b"\x01"


def leaf(ticket_id: str, pseudonym: str) -> bytes:
    return hashlib.sha256(_LEAF + ticket_id.encode() + b"\n" + pseudonym.encode()).digest()


def sealed_tree(
    ticket_ids: Sequence[bytes], tails: Sequence[bytes], tail_of: Sequence[int]
) -> tuple[bytes, list[list[bytes]]]:
    """The root over every ticket (ticket id bytes, its tail ``tails[tail_of[i]]``), and each
    chunk's path to it, built a chunk at a time: a chunk's CHUNK leaves make its subtree and are
    let go, then the chunks' roots make the top. The same root and paths as ``levels`` over all the
    leaves (a chunk is a whole subtree), with a chunk's leaves alive at a time, not a million."""
    if not ticket_ids:
        raise DrawError("a Merkle tree needs at least one leaf")
    sha = hashlib.sha256
    roots = []
    for start in range(0, len(ticket_ids), CHUNK):
        end = start + CHUNK
        level = [
            sha(_LEAF + t + tails[n]).digest()
            for t, n in zip(ticket_ids[start:end], tail_of[start:end], strict=True)
        ]
        while len(level) > 1:
            level = _up(level)
        roots.append(level[0])
    top = levels(roots)
    return top[-1][0], [path(top, n) for n in range(len(roots))]


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE + left + right).digest()


def _up(level: Sequence[bytes]) -> list[bytes]:
    sha = hashlib.sha256
    nxt = [sha(_NODE + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
    if len(level) % 2:
        nxt.append(level[-1])
    return nxt


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level, the leaves first and the root's last."""
    if not leaves:
        raise DrawError("a Merkle tree needs at least one leaf")
    out = [list(leaves)]
    while len(out[-1]) > 1:
        out.append(_up(out[-1]))
    return out


def root(leaves: Sequence[bytes]) -> bytes:
    level = list(leaves)
    if not level:
        raise DrawError("a Merkle tree needs at least one leaf")
    while len(level) > 1:
        level = _up(level)
    return level[0]


def path(tree: Sequence[Sequence[bytes]], index: int) -> list[bytes]:
    """The siblings of leaf ``index`` from the bottom up (levels with none are skipped)."""
    out: list[bytes] = []
    for level in tree[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            out.append(level[sibling])
        index //= 2
    return out


@dataclass(frozen=True, slots=True)
class Proof:
    index: int  # the leaf's place in ticket-id order, from 0
    count: int  # leaves in the tree
    siblings: tuple[bytes, ...]

    def encoded(self) -> str:
        """The siblings as one base64 string: 32 bytes each (≤ 20 of them below 2^20 leaves)."""
        return base64.b64encode(b"".join(self.siblings)).decode()

    @classmethod
    def decode(cls, index: int, count: int, encoded: str) -> Proof:
        raw = base64.b64decode(encoded, validate=True)
        if len(raw) % 32:
            raise DrawError("a proof is a whole number of 32-byte hashes")
        return cls(index, count, tuple(raw[i : i + 32] for i in range(0, len(raw), 32)))


def proof_in_chunk(
    chunk_leaves: Sequence[bytes], chunk: int, count: int, above: Sequence[bytes], offset: int
) -> Proof:
    """Leaf ``offset`` of chunk number ``chunk``: its path in the chunk, then ``above``."""
    inner = path(levels(chunk_leaves), offset)
    return Proof(chunk * CHUNK + offset, count, (*inner, *above))


def root_from(proof: Proof, leaf_hash: bytes) -> bytes:
    """The root that ``proof`` leads to from ``leaf_hash`` (compare it with the published one)."""
    if not 0 <= proof.index < proof.count:
        raise DrawError(f"leaf {proof.index} is not within a tree of {proof.count}")
    node, index, width = leaf_hash, proof.index, proof.count
    siblings = list(proof.siblings)
    while width > 1:
        sibling = index ^ 1
        if sibling < width:
            if not siblings:
                raise DrawError("the proof is too short")
            other = siblings.pop(0)
            node = _node(other, node) if index & 1 else _node(node, other)
        index //= 2
        width = (width + 1) // 2
    if siblings:
        raise DrawError("the proof is too long")
    return node
