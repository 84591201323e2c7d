// A buyer's own tickets checked in the browser without the transcript (docs/RULES.md, "Checking
// your own tickets"): each ticket's Merkle proof leads to the entries root published at close;
// the beacon round is the one the rule fixes and is signed by the chain's key; the seed matches
// its commitment; each ticket's rank is HMAC(K, ticket) for the K those give; the place agrees
// with the order published so far.
import { checkBeacon, keyMessage, orderKey, ticketRank, type BeaconInfo } from "./draw";
import { fromHex, toHex } from "./hex";
import { leaf, rootFrom } from "./merkle";

export interface MyTicket {
  ticket_id: string;
  index: number;
  proof: string;
  rank?: string | null;
}

export interface MyDraw {
  listing_id: string;
  version: string;
  buyer: string;
  closes_at: string;
  closed_at: string | null;
  sealed_at?: string | null;
  commitment: string;
  entries_digest: string | null;
  entries_root: string | null;
  ticket_count: number;
  beacon: BeaconInfo | null;
  seed: string | null;
  tickets: MyTicket[];
  place?: number | null;
  buyers: number;
  order: string[];
}

export type Check = "ok" | "bad" | "pending";

export interface MineVerdict {
  tickets: { ticket_id: string; included: Check; rank: Check }[];
  beacon: Check;
  seed: Check;
  place: Check;
  problems: string[];
  ms: number;
}

export async function checkMine(m: MyDraw): Promise<MineVerdict> {
  const started = performance.now();
  const problems: string[] = [];
  let beacon: Check = "pending";
  let seed: Check = "pending";
  let key: CryptoKey | null = null;
  if (m.beacon?.used_round && m.beacon.signature) {
    const checked = await checkBeacon(m);
    problems.push(...checked.problems);
    beacon = checked.problems.length === 0 ? "ok" : "bad";
    const raw = m.seed ? fromHex(m.seed) : null;
    if (raw !== null) {
      seed = toHex(await crypto.subtle.digest("SHA-256", raw)) === m.commitment ? "ok" : "bad";
      if (seed === "bad") problems.push("commitment_mismatch");
      if (checked.randomness !== null && m.entries_digest && m.entries_root) {
        const message = keyMessage(m.version, m.listing_id, m.entries_digest, {
          root: m.entries_root,
          chain: m.beacon.chain.hash,
          round: m.beacon.used_round,
          randomness: checked.randomness,
        });
        key = await orderKey(raw, message);
      }
    }
  }
  const tickets: MineVerdict["tickets"] = [];
  for (const t of m.tickets) {
    const reached = await rootFrom(t.index, m.ticket_count, t.proof, await leaf(t.ticket_id, m.buyer));
    const included: Check = reached !== null && reached === m.entries_root ? "ok" : "bad";
    if (included === "bad") problems.push("proof_invalid");
    let rank: Check = "pending";
    if (key !== null && t.rank) {
      rank = (await ticketRank(key, t.ticket_id)) === t.rank ? "ok" : "bad";
      if (rank === "bad") problems.push("rank_mismatch");
    }
    tickets.push({ ticket_id: t.ticket_id, included, rank });
  }
  // The place: the order published so far (the candidates drawn) must name me there if my
  // place is among them, and not name me if it is not; a place further down the line needs the
  // whole order, which the full verification recomputes.
  let place: Check = "pending";
  const at = m.order.indexOf(m.buyer);
  if (m.place) {
    if (at >= 0) place = at + 1 === m.place ? "ok" : "bad";
    else if (m.place <= m.order.length) place = "bad";
  } else if (at >= 0) place = "bad";
  if (place === "bad") problems.push("place_mismatch");
  return { tickets, beacon, seed, place, problems: [...new Set(problems)], ms: performance.now() - started };
}
