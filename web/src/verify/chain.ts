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

/** The round a draw waits for (domain/beacon.py's draw_round): the planned one, unless the
 * listing closed early or so late that the planned round came out before the close. */
export function drawRound(chain: Chain, planned: number, closesAt: number, closedAt: number, marginSeconds: number): number {
  const afterClose = roundAtOrAfter(chain, closedAt + marginSeconds * 1000);
  if (closedAt < closesAt) return afterClose;
  return afterClose > planned ? afterClose : planned;
}
