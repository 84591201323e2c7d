// A public randomness beacon's round checked in the browser (docs/RULES.md, "The draw"): the
// same rules as the server's tombola/domain/beacon.py. drand's quicknet signs round r with BLS12-381
// on G1: the message is SHA-256(r as 8 bytes big-endian), hashed to G1 with DST below, checked
// against the chain's public key on G2; the round's randomness is SHA-256 of the signature.
import { bls12_381 } from "@noble/curves/bls12-381.js";

import { fromHex, toHex } from "./hex";
import { DST as DST_TAG, SCHEME, type Chain } from "./chain";

export { DST, drawRound, isQuicknet, roundAtOrAfter, roundTime, type Chain } from "./chain";

async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}

// Rounds this page has verified (a pairing costs tens of milliseconds; a round never changes).
const verified = new Map<string, string>();

/** The round's randomness (hex) if `signature` is the chain's signature of `round`; else null. */
export async function verifyRound(chain: Chain, round: number, signature: string): Promise<string | null> {
  const memo = `${chain.scheme}|${chain.public_key}|${round}|${signature}`;
  const known = verified.get(memo);
  if (known !== undefined) return known;
  const randomness = await verifySignature(chain, round, signature);
  if (randomness !== null) verified.set(memo, randomness);
  return randomness;
}

/** `verifyRound` without the page's memory of verified rounds. */
export async function verifySignature(chain: Chain, round: number, signature: string): Promise<string | null> {
  if (chain.scheme !== SCHEME || !Number.isSafeInteger(round) || round < 1) return null;
  const sig = fromHex(signature);
  const key = fromHex(chain.public_key);
  if (sig === null || key === null) return null;
  const number = new Uint8Array(8);
  new DataView(number.buffer).setBigUint64(0, BigInt(round));
  const bls = bls12_381.shortSignatures;
  try {
    const message = bls.hash(await sha256(number), DST_TAG);
    if (!bls.verify(sig, message, key)) return null;
  } catch {
    return null; // not a point on the curve: not a signature
  }
  return toHex(await sha256(sig));
}
