// A beacon chain's public facts and round arithmetic (tombola/domain/beacon.py): no curve code,
// so pages that only show a round load nothing heavy; beacon.ts checks signatures.

export const SCHEME = "bls-unchained-g1-rfc9380";
export const DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
// drand's quicknet, as https://api.drand.sh/<hash>/info gives it
export const QUICKNET_HASH = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971";
export const QUICKNET_KEY =
  "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a";

export interface Chain {
  name: string;
  hash: string;
  public_key: string;
  genesis_time: number;
  period: number;
  scheme: string;
}

/** Whether the chain is drand's quicknet itself (not a beacon of the operator's own). */
export function isQuicknet(chain: Chain): boolean {
  return chain.hash === QUICKNET_HASH && chain.public_key === QUICKNET_KEY;
}

export function roundTime(chain: Chain, round: number): number {
  return (chain.genesis_time + (round - 1) * chain.period) * 1000;
}

/** The first round emitted at or after `ms` (milliseconds since the epoch). */
export function roundAtOrAfter(chain: Chain, ms: number): number {
  const elapsed = ms / 1000 - chain.genesis_time;
  return elapsed <= 0 ? 1 : Math.ceil(elapsed / chain.period) + 1;
}

export const QUICKNET_MARGIN = 6; // seconds: the rules fix quicknet's margin
export const FALLBACK_AFTER = 300; // seconds after a round's time before the draw gives up on it

export function marginFor(chain: Chain, configured: number): number {
  return chain.hash === QUICKNET_HASH ? QUICKNET_MARGIN : configured;
}

export function plannedRound(chain: Chain, closesAt: number, marginSeconds: number): number {
  return roundAtOrAfter(chain, closesAt + marginSeconds * 1000);
}

/** The round a draw waits for (domain/beacon.py's draw_round): the planned one, unless the
 * listing closed early or its entries were sealed after the planned round came out; then the
 * first round at or after the seal plus the margin. Times in milliseconds. */
export function drawRound(chain: Chain, planned: number, closesAt: number, closedAt: number, sealedAt: number, marginSeconds: number): number {
  const afterSeal = roundAtOrAfter(chain, sealedAt + marginSeconds * 1000);
  if (closedAt < closesAt) return afterSeal;
  if (roundTime(chain, planned) < sealedAt) return afterSeal;
  return planned;
}

/** The one round a draw may take instead of `due` (domain/beacon.py's fallback_round). */
export function fallbackRound(chain: Chain, due: number): number {
  return roundAtOrAfter(chain, roundTime(chain, due) + FALLBACK_AFTER * 1000);
}

/** Whether the chain is what it says: quicknet itself, or a chain whose hash is computed from
 * its own key, genesis, period and name (so no key can pass for quicknet's). */
export async function chainProblem(chain: Chain): Promise<string | null> {
  if (chain.hash === QUICKNET_HASH) {
    const same = chain.public_key === QUICKNET_KEY && chain.genesis_time === 1692803367 && chain.period === 3 && chain.scheme === SCHEME;
    return same ? null : "chain_not_quicknet";
  }
  const text = `${chain.name}|${SCHEME}|${chain.public_key}|${chain.genesis_time}|${chain.period}`;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return hex === chain.hash ? null : "chain_hash_mismatch";
}
