// The draw, recomputed in the browser from its public transcript (docs/RULES.md, "The draw"):
//   commitment = SHA-256(seed); entries digest E = SHA-256(sorted ticket ids joined by "\n");
//   draw-v1: K = HMAC-SHA256(seed, "draw-v1|<listing id>|<E>");
//   draw-v2: the entries' Merkle root M (merkle.ts) and the beacon round R, its signature checked
//   against the chain's key (beacon.ts): K = HMAC-SHA256(seed,
//   "draw-v2|<listing id>|<E>|<M>|<chain hash>|<R>|<R's randomness>");
//   rank(ticket) = HMAC-SHA256(K, id); buyers in the order of their lowest-ranked ticket (bytes),
//   ties by pseudonym.
// The same computation as the server's verifier (tombola/domain/draw.py), with WebCrypto.
import { verifyRound } from "./beacon";
import { chainProblem, drawRound, fallbackRound, marginFor, plannedRound, type Chain } from "./chain";
import { fromHex, toHex } from "./hex";
import { root as merkleRoot } from "./merkle";

export interface TranscriptTicket {
  ticket_id: string;
  buyer: string;
}

export interface BeaconInfo {
  chain: Chain;
  margin_seconds: number;
  planned_round: number;
  planned_at: string;
  round?: number | null;
  note?: string | null;
  used_round?: number | null;
  signature?: string | null;
}

export interface Transcript {
  listing_id: string;
  version: string;
  commitment: string;
  entries_digest: string | null;
  seed: string | null;
  tickets: TranscriptTicket[];
  order: string[];
  entries_root?: string | null;
  closes_at?: string | null;
  closed_at?: string | null;
  sealed_at?: string | null;
  beacon?: BeaconInfo | null;
}

export interface Verdict {
  ok: boolean;
  problems: string[];
  order: string[];
}

export type Progress = (done: number, total: number) => void;

const encoder = new TextEncoder();
const CHUNK = 2000;

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", data));
}

async function hmacKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function compareCodePoints(a: string, b: string): number {
  // Python orders str by code point; for the ASCII ids and pseudonyms used here this is the
  // same as comparing UTF-16 units.
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function entriesDigest(ticketIds: string[]): Promise<string> {
  const ids = [...ticketIds].sort(compareCodePoints);
  return sha256Hex(encoder.encode(ids.join("\n")));
}

/** K's message: what the seed keys (see the top of this file). */
export function keyMessage(version: string, listingId: string, digest: string, v2?: { root: string; chain: string; round: number; randomness: string }): string {
  if (version === "draw-v2" && v2) return `draw-v2|${listingId}|${digest}|${v2.root}|${v2.chain}|${v2.round}|${v2.randomness}`;
  return `${version}|${listingId}|${digest}`;
}

export async function orderKey(seed: Uint8Array<ArrayBuffer>, message: string): Promise<CryptoKey> {
  const k = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(seed), encoder.encode(message)));
  return hmacKey(k);
}

export async function ticketRank(key: CryptoKey, ticketId: string): Promise<string> {
  return toHex(await crypto.subtle.sign("HMAC", key, encoder.encode(ticketId)));
}

export async function candidateOrder(
  seed: Uint8Array<ArrayBuffer>,
  message: string,
  tickets: TranscriptTicket[],
  progress?: Progress,
): Promise<string[]> {
  const orderKey_ = await orderKey(seed, message);
  const best = new Map<string, Uint8Array>();
  for (let start = 0; start < tickets.length; start += CHUNK) {
    const chunk = tickets.slice(start, start + CHUNK);
    const ranks = await Promise.all(
      chunk.map((t) => crypto.subtle.sign("HMAC", orderKey_, encoder.encode(t.ticket_id))),
    );
    chunk.forEach((t, i) => {
      const rank = new Uint8Array(ranks[i]);
      const known = best.get(t.buyer);
      if (known === undefined || compareBytes(rank, known) < 0) best.set(t.buyer, rank);
    });
    progress?.(Math.min(start + CHUNK, tickets.length), tickets.length);
  }
  return [...best.keys()].sort(
    (a, b) => compareBytes(best.get(a)!, best.get(b)!) || compareCodePoints(a, b),
  );
}

export async function verify(t: Transcript, progress?: Progress): Promise<Verdict> {
  const problems: string[] = [];
  if (t.seed === null) return { ok: false, problems: ["seed_not_revealed"], order: [] };
  const seed = fromHex(t.seed);
  if (seed === null) return { ok: false, problems: ["seed_not_hex"], order: [] };
  const commitment = await sha256Hex(seed);
  if (commitment !== t.commitment) problems.push("commitment_mismatch");
  const ids = t.tickets.map((x) => x.ticket_id);
  if (new Set(ids).size !== ids.length) problems.push("duplicate_tickets");
  if (ids.some((id) => id.includes("\n"))) problems.push("ticket_id_invalid");
  const digest = await entriesDigest(ids);
  if (digest !== t.entries_digest) problems.push("digest_mismatch");
  let message = keyMessage(t.version, t.listing_id, digest); // E recomputed, as the server does
  if (t.version === "draw-v2") {
    const sorted = [...t.tickets].sort((a, b) => compareCodePoints(a.ticket_id, b.ticket_id));
    const root = await merkleRoot(sorted);
    if (root !== t.entries_root) problems.push("root_mismatch");
    const checked = await checkBeacon(t);
    problems.push(...checked.problems);
    if (checked.randomness === null) return { ok: false, problems, order: [] };
    message = keyMessage(t.version, t.listing_id, digest, {
      root,
      chain: t.beacon!.chain.hash,
      round: t.beacon!.used_round!,
      randomness: checked.randomness,
    });
  } else if (t.version !== "draw-v1") {
    return { ok: false, problems: ["unknown_version"], order: [] };
  }
  const order = await candidateOrder(seed, message, t.tickets, progress);
  if (t.order.length > order.length) problems.push("order_too_long");
  t.order.forEach((buyer, i) => {
    if (order[i] !== buyer && !problems.includes("order_mismatch")) problems.push("order_mismatch");
  });
  return { ok: problems.length === 0, problems, order };
}

/** The beacon of a draw-v2 transcript against the rules (tombola/domain/draw.py's
 * _round_problems): the chain is what it says, quicknet's margin is the rules', the planned
 * round follows the scheduled close, the round waited for follows the seal, the round used is
 * that one or its one fallback (with a reason), and its signature is the chain's. */
export async function checkBeacon(t: {
  closes_at?: string | null;
  closed_at?: string | null;
  sealed_at?: string | null;
  beacon?: BeaconInfo | null;
}): Promise<{ problems: string[]; randomness: string | null }> {
  const b = t.beacon;
  if (!b || !b.used_round || !b.signature) return { problems: ["beacon_missing"], randomness: null };
  const problems: string[] = [];
  const wrongChain = await chainProblem(b.chain);
  if (wrongChain) problems.push("beacon_chain_wrong");
  if (b.margin_seconds !== marginFor(b.chain, b.margin_seconds)) problems.push("beacon_round_wrong");
  if (!t.closes_at || !t.closed_at || !t.sealed_at) {
    problems.push("beacon_round_wrong");
  } else {
    const closesAt = Date.parse(t.closes_at);
    const planned = plannedRound(b.chain, closesAt, b.margin_seconds);
    const due = drawRound(b.chain, planned, closesAt, Date.parse(t.closed_at), Date.parse(t.sealed_at), b.margin_seconds);
    const fallback = fallbackRound(b.chain, due);
    if (planned !== b.planned_round || due !== (b.round ?? b.planned_round)) problems.push("beacon_round_wrong");
    if (b.used_round !== due && !(b.used_round === fallback && b.note)) problems.push("beacon_round_wrong");
  }
  const randomness = await verifyRound(b.chain, b.used_round, b.signature);
  if (randomness === null) problems.push("beacon_invalid");
  return { problems: [...new Set(problems)], randomness };
}
