// The entries' Merkle tree (tombola/domain/merkle.py): leaf = SHA-256(0x00 ‖ ticket id ‖ "\n" ‖
// pseudonym); node = SHA-256(0x01 ‖ left ‖ right); a last node without a partner moves up as it
// is. A proof is the siblings from the leaf up; the leaf's index and the leaf count say where
// there is one and on which side.
import { fromBase64, toHex } from "./hex";

const encoder = new TextEncoder();

async function sha256(parts: Uint8Array[]): Promise<Uint8Array<ArrayBuffer>> {
  const size = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", all));
}

export function leaf(ticketId: string, pseudonym: string): Promise<Uint8Array<ArrayBuffer>> {
  return sha256([new Uint8Array([0]), encoder.encode(`${ticketId}\n${pseudonym}`)]);
}

function node(left: Uint8Array, right: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256([new Uint8Array([1]), left, right]);
}

/** The root the proof leads to from the leaf (hex), or null if the proof cannot be one. */
export async function rootFrom(index: number, count: number, proof: string, leafHash: Uint8Array): Promise<string | null> {
  const raw = fromBase64(proof);
  if (raw === null || raw.length % 32 !== 0 || index < 0 || index >= count) return null;
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < raw.length; i += 32) siblings.push(raw.subarray(i, i + 32));
  let hash: Uint8Array = leafHash;
  let i = index;
  let width = count;
  while (width > 1) {
    if ((i ^ 1) < width) {
      const other = siblings.shift();
      if (other === undefined) return null;
      hash = i & 1 ? await node(other, hash) : await node(hash, other);
    }
    i = Math.floor(i / 2);
    width = Math.ceil(width / 2);
  }
  return siblings.length === 0 ? toHex(hash) : null;
}

/** The root over (ticket id, pseudonym) pairs in ticket-id order, as the full verification
 * recomputes it. */
export async function root(pairs: { ticket_id: string; buyer: string }[], progress?: (done: number) => void): Promise<string> {
  let level: Uint8Array[] = [];
  const CHUNK = 4000;
  for (let start = 0; start < pairs.length; start += CHUNK) {
    level.push(...(await Promise.all(pairs.slice(start, start + CHUNK).map((p) => leaf(p.ticket_id, p.buyer)))));
    progress?.(Math.min(start + CHUNK, pairs.length));
  }
  while (level.length > 1) {
    const next: Promise<Uint8Array<ArrayBuffer>>[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(node(level[i], level[i + 1]));
    const up: Uint8Array[] = await Promise.all(next);
    if (level.length % 2) up.push(level[level.length - 1]);
    level = up;
  }
  return toHex(level[0]);
}
