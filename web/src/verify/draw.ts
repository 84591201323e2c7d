// The draw, recomputed in the browser from its public transcript (docs/RULES.md, "The draw"):
//   commitment = SHA-256(seed); entries digest E = SHA-256(sorted ticket ids joined by "\n");
//   K = HMAC-SHA256(seed, "<version>|<listing id>|<E>"); rank(ticket) = HMAC-SHA256(K, id);
//   buyers in the order of their lowest-ranked ticket (bytes), ties by pseudonym.
// The same computation as the server's verifier (tombola/draw.py), with WebCrypto.

export interface TranscriptTicket {
  ticket_id: string;
  buyer: string;
}

export interface Transcript {
  listing_id: string;
  version: string;
  commitment: string;
  entries_digest: string | null;
  seed: string | null;
  tickets: TranscriptTicket[];
  order: string[];
}

export interface Verdict {
  ok: boolean;
  problems: string[];
  order: string[];
}

export type Progress = (done: number, total: number) => void;

const encoder = new TextEncoder();
const CHUNK = 2000;

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return Array.from(view, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

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

export async function candidateOrder(
  seed: Uint8Array<ArrayBuffer>,
  listingId: string,
  version: string,
  digest: string,
  tickets: TranscriptTicket[],
  progress?: Progress,
): Promise<string[]> {
  const seedKey = await hmacKey(seed);
  const k = new Uint8Array(
    await crypto.subtle.sign("HMAC", seedKey, encoder.encode(`${version}|${listingId}|${digest}`)),
  );
  const orderKey = await hmacKey(k);
  const best = new Map<string, Uint8Array>();
  for (let start = 0; start < tickets.length; start += CHUNK) {
    const chunk = tickets.slice(start, start + CHUNK);
    const ranks = await Promise.all(
      chunk.map((t) => crypto.subtle.sign("HMAC", orderKey, encoder.encode(t.ticket_id))),
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
  const digest = await entriesDigest(ids);
  if (digest !== t.entries_digest) problems.push("digest_mismatch");
  const order = await candidateOrder(
    seed,
    t.listing_id,
    t.version,
    digest, // recomputed from the tickets, as the server's verifier does
    t.tickets,
    progress,
  );
  if (t.order.length > order.length) problems.push("order_too_long");
  t.order.forEach((buyer, i) => {
    if (order[i] !== buyer && !problems.includes("order_mismatch")) problems.push("order_mismatch");
  });
  return { ok: problems.length === 0, problems, order };
}
