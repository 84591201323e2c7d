// The browser's verifier against the server's (tombola/draw.py) on the same transcripts
// (web/tests/fixtures, written by `python -m tombola_dev.web_fixtures`).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { entriesDigest, verify, type Transcript } from "../src/verify/draw";

interface Fixture extends Transcript {
  expected: { ok: boolean; order: string[] };
}

function fixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`./fixtures/draw-${name}.json`, import.meta.url), "utf8"));
}

describe("the draw verified in the browser", () => {
  for (const name of ["small", "large", "tampered-order", "missing-ticket"]) {
    it(`agrees with the server's verifier: ${name}`, async () => {
      const t = fixture(name);
      const verdict = await verify(t);
      expect(verdict.ok).toBe(t.expected.ok);
      expect(verdict.order).toEqual(t.expected.order);
    });
  }

  it("names what is wrong", async () => {
    expect((await verify(fixture("tampered-order"))).problems).toEqual(["order_mismatch"]);
    expect((await verify(fixture("missing-ticket"))).problems).toContain("digest_mismatch");
    const t = fixture("small");
    expect((await verify({ ...t, seed: "00".repeat(32) })).problems).toContain(
      "commitment_mismatch",
    );
    expect((await verify({ ...t, seed: null })).problems).toEqual(["seed_not_revealed"]);
  });

  it("computes the entries digest over the sorted ids", async () => {
    const t = fixture("small");
    const shuffled = t.tickets.map((x) => x.ticket_id).reverse();
    expect(await entriesDigest(shuffled)).toBe(t.entries_digest);
  });

  it("goes through 100,000 tickets, reporting progress", async () => {
    const t = fixture("small");
    const tickets = Array.from({ length: 100_000 }, (_, i) => ({
      ticket_id: `T${String(i).padStart(6, "0")}`,
      buyer: `b${i % 5000}`,
    }));
    const seen: number[] = [];
    const verdict = await verify(
      { ...t, tickets, entries_digest: await entriesDigest(tickets.map((x) => x.ticket_id)), order: [] },
      (done) => seen.push(done),
    );
    expect(verdict.order).toHaveLength(5000);
    expect(seen.at(-1)).toBe(100_000);
  }, 60_000); // a guard for a loaded machine, not a timing
});
