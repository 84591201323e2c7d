// The seller's preview, computed as the server computes it (tombola.pricing): P1 = Pp / Np
// rounded up, and the deposit the policy in force asks. BigInt: prices may pass 2^53 minor units.
import type { Schemas } from "./api/client";

export type Policy = Schemas["PolicyView"];
export type DepositRule = Schemas["DepositRule"];

export const DEADLINES = ["second_payment", "ship", "delivery", "confirm", "resolution"] as const;
export type Deadline = (typeof DEADLINES)[number];

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

export function firstPayment(price: bigint, expectedEntrants: bigint): bigint {
  return expectedEntrants > 1n ? ceilDiv(price, expectedEntrants) : 0n;
}

export function depositFor(rule: DepositRule, price: bigint): bigint {
  if (rule.fixed !== null && rule.fixed !== undefined) return BigInt(rule.fixed);
  return ceilDiv(price * BigInt(rule.rate_bps ?? 0), 10_000n);
}

/** Seconds in the largest whole unit: the form's starting value for a deadline. */
export const UNITS = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
] as const;
export type Unit = (typeof UNITS)[number][0];

export function inUnits(seconds: number): { n: number; unit: Unit } {
  const [unit, size] = UNITS.find(([, size]) => seconds % size === 0) ?? UNITS[3];
  return { n: seconds / size, unit };
}

export function seconds(n: number, unit: Unit): number {
  return n * (UNITS.find(([u]) => u === unit)?.[1] ?? 1);
}
