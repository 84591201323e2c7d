// The seller's preview against the server's own pricing (web/tests/fixtures/pricing.json,
// written by `python -m tombola_dev.web_fixtures` from tombola.pricing).
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { depositFor, firstPayment, inUnits, seconds } from "../src/pricing";

type Case = {
  price: string;
  expected_entrants: number;
  deposit_rule: { fixed: number | null; rate_bps: number | null };
  first_payment: string;
  deposit: string;
};
const cases = JSON.parse(readFileSync(new URL("./fixtures/pricing.json", import.meta.url), "utf8")) as Case[];

describe("the seller's preview", () => {
  it.each(cases)("agrees with the server for Pp $price, Np $expected_entrants", (c) => {
    expect(firstPayment(BigInt(c.price), BigInt(c.expected_entrants)).toString()).toBe(c.first_payment);
    expect(depositFor(c.deposit_rule, BigInt(c.price)).toString()).toBe(c.deposit);
  });

  it("writes a deadline in its largest whole unit and back", () => {
    expect(inUnits(172_800)).toEqual({ n: 2, unit: "day" });
    expect(inUnits(5_400)).toEqual({ n: 90, unit: "minute" });
    expect(inUnits(61)).toEqual({ n: 61, unit: "second" });
    expect(seconds(2, "day")).toBe(172_800);
  });
});
