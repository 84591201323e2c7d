// The beacon, the entries' Merkle proofs and a buyer's own check in the browser, against the
// server's code on the same data (web/tests/fixtures, written by `python -m tombola_dev.web_fixtures`)
// and against real rounds of drand's quicknet (public values, tests/fixtures/quicknet_rounds.json).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { isQuicknet, roundAtOrAfter, roundTime, verifyRound, verifySignature, type Chain } from "../src/verify/beacon";
import { chainProblem, fallbackRound } from "../src/verify/chain";
import { verify, type Transcript } from "../src/verify/draw";
import { leaf, rootFrom } from "../src/verify/merkle";
import { checkMine, type MyDraw } from "../src/verify/mine";

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8"));
}

interface Rounds {
  chain: Chain;
  rounds: { round: number; signature: string; randomness: string }[];
}

describe("the beacon's signature, checked in the browser", () => {
  const q = fixture<Rounds>("quicknet");

  for (const r of q.rounds) {
    it(`verifies quicknet's real round ${r.round}`, async () => {
      expect(isQuicknet(q.chain)).toBe(true);
      expect(await verifyRound(q.chain, r.round, r.signature)).toBe(r.randomness);
    });

    it(`refuses round ${r.round}'s signature for another round, altered, or under another key`, async () => {
      expect(await verifyRound(q.chain, r.round + 1, r.signature)).toBeNull();
      const flipped = r.signature.slice(0, -2) + (parseInt(r.signature.slice(-2), 16) ^ 1).toString(16).padStart(2, "0");
      expect(await verifyRound(q.chain, r.round, flipped)).toBeNull();
      const local = fixture<{ chain: Chain }>("local-round").chain;
      expect(await verifyRound({ ...q.chain, public_key: local.public_key }, r.round, r.signature)).toBeNull();
      expect(await verifyRound(q.chain, r.round, "zz")).toBeNull();
    });
  }

  it("verifies a round the local beacon signed, with the same code", async () => {
    const l = fixture<{ chain: Chain; round: number; signature: string; randomness: string }>("local-round");
    expect(isQuicknet(l.chain)).toBe(false);
    expect(await verifyRound(l.chain, l.round, l.signature)).toBe(l.randomness);
  });

  it("knows which round follows a time", () => {
    const at = (q.chain.genesis_time + 30) * 1000;
    expect(roundAtOrAfter(q.chain, at)).toBe(11);
    expect(roundAtOrAfter(q.chain, at + 1)).toBe(12);
    expect(roundTime(q.chain, 11)).toBe(at);
  });
});

describe("a draw-v2 transcript verified in the browser", () => {
  const t = fixture<Transcript & { expected: { ok: boolean; order: string[] } }>("draw-v2");

  it("agrees with the server's verifier", async () => {
    const verdict = await verify(t);
    expect(verdict.problems).toEqual([]);
    expect(verdict.ok).toBe(t.expected.ok);
    expect(verdict.order).toEqual(t.expected.order);
  });

  it("names a changed ticket list, a forged round and a round the rule did not fix", async () => {
    const renamed = t.tickets.map((x, i) => (i === 0 ? { ...x, buyer: "b-someone" } : x));
    expect((await verify({ ...t, tickets: renamed })).problems).toContain("root_mismatch");
    const q = fixture<Rounds>("quicknet");
    const forged = { ...t.beacon!, signature: q.rounds[1].signature };
    expect((await verify({ ...t, beacon: forged })).problems).toContain("beacon_invalid");
    const earlier = { ...t.beacon!, planned_round: t.beacon!.planned_round + 100, round: t.beacon!.planned_round + 100 };
    expect((await verify({ ...t, beacon: earlier })).problems).toContain("beacon_round_wrong");
  });
});

describe("a transcript cannot choose its round (an attack review's cases)", () => {
  const t = fixture<Transcript & { expected: { ok: boolean } }>("draw-v2");
  const b = t.beacon!;
  const problems = async (changes: Partial<Transcript>) => (await verify({ ...t, ...changes })).problems;

  it("names a restated margin, a later round with any note, a silent fallback, missing times", async () => {
    expect(await problems({ beacon: { ...b, margin_seconds: 27 } })).toContain("beacon_round_wrong");
    expect(await problems({ beacon: { ...b, used_round: b.planned_round + 7, note: "x" } })).toContain("beacon_round_wrong");
    const fallback = fallbackRound(b.chain, b.planned_round);
    expect(await problems({ beacon: { ...b, used_round: fallback, note: null } })).toContain("beacon_round_wrong");
    expect(await problems({ sealed_at: null })).toContain("beacon_round_wrong");
    const late = new Date(Date.parse(t.closes_at!) + 600_000).toISOString();
    expect(await problems({ sealed_at: late })).toContain("beacon_round_wrong");
  });

  it("names another key posing as quicknet, and a newline inside a ticket id", async () => {
    const local = fixture<{ chain: Chain }>("local-round").chain;
    expect(await problems({ beacon: { ...b, chain: { ...b.chain, public_key: local.public_key } } })).toContain("beacon_chain_wrong");
    expect(await chainProblem(local)).toBeNull();
    expect(await chainProblem({ ...local, name: "other" })).toBe("chain_hash_mismatch");
    const split = t.tickets.map((x, i) => (i === 0 ? { ...x, ticket_id: "a\nb" } : x));
    expect(await problems({ tickets: split })).toContain("ticket_id_invalid");
  });
});

describe("my own tickets, checked without the transcript", () => {
  const mine = fixture<MyDraw>("mine-v2");

  it("proves each ticket, its rank, the beacon and the place", async () => {
    const v = await checkMine(mine);
    expect(v.problems).toEqual([]);
    expect(v.beacon).toBe("ok");
    expect(v.seed).toBe("ok");
    expect(v.tickets.map((x) => [x.included, x.rank])).toEqual(mine.tickets.map(() => ["ok", "ok"]));
    expect(v.place).toBe("pending"); // eighth, past the three drawn so far: the full check's
  });

  it("catches a proof for someone else's name, a wrong rank, a wrong place", async () => {
    expect((await checkMine({ ...mine, buyer: "b-someone" })).problems).toContain("proof_invalid");
    const ranks = mine.tickets.map((x, i) => (i === 0 ? { ...x, rank: "00".repeat(32) } : x));
    expect((await checkMine({ ...mine, tickets: ranks })).problems).toContain("rank_mismatch");
    expect((await checkMine({ ...mine, place: 2 })).problems).toContain("place_mismatch");
    expect((await checkMine({ ...mine, order: [mine.order[0], mine.buyer] })).problems).toContain("place_mismatch");
  });

  it("before the draw, checks the proofs and waits for the rest", async () => {
    const before = { ...mine, seed: null, beacon: { ...mine.beacon!, used_round: null, signature: null }, place: null, order: [], tickets: mine.tickets.map((x) => ({ ...x, rank: null })) };
    const v = await checkMine(before);
    expect(v.problems).toEqual([]);
    expect(v.tickets.every((x) => x.included === "ok" && x.rank === "pending")).toBe(true);
    expect([v.beacon, v.seed, v.place]).toEqual(["pending", "pending", "pending"]);
  });
});

describe("a ticket among 1,000,000", () => {
  const p = fixture<{ ticket_id: string; buyer: string; index: number; count: number; proof: string; root: string }>("proof-1m");

  it("has a proof under a kilobyte that leads to the root", async () => {
    expect(p.proof.length).toBeLessThanOrEqual(1024);
    expect(await rootFrom(p.index, p.count, p.proof, await leaf(p.ticket_id, p.buyer))).toBe(p.root);
    expect(await rootFrom(p.index + 1, p.count, p.proof, await leaf(p.ticket_id, p.buyer))).not.toBe(p.root);
  });

  it("is checked in milliseconds: the proof, and the beacon's signature once (printed, not asserted)", async () => {
    const mine = fixture<MyDraw>("mine-v2");
    const median = async (run: () => Promise<unknown>) => {
      await run(); // warm
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const started = performance.now();
        await run();
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[3];
    };
    const proof = await median(async () => rootFrom(p.index, p.count, p.proof, await leaf(p.ticket_id, p.buyer)));
    const b = mine.beacon!;
    // the pairing itself, each time (the page remembers the rounds it verified)
    const signature = await median(() => verifySignature(b.chain, b.used_round!, b.signature!));
    const one = { ...mine, ticket_count: p.count, entries_root: p.root, buyer: p.buyer, tickets: [{ ticket_id: p.ticket_id, index: p.index, proof: p.proof, rank: null }] };
    const again = await median(() => checkMine(one)); // the round remembered: seed, key, proof
    console.log(
      `at 1,000,000 tickets: a ticket's proof (${p.proof.length} base64 characters) checks in median ${proof.toFixed(2)} ms; ` +
        `the beacon's BLS signature in ${signature.toFixed(1)} ms; the panel again (round remembered) in ${again.toFixed(1)} ms`,
    );
    expect((await checkMine(one)).tickets[0].included).toBe("ok");
  });
});
