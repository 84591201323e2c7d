// The chance shown before a purchase against the server's own (web/tests/fixtures/odds.json,
// written by `python -m tombola_dev.web_fixtures` from tombola.domain.odds).
import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { chances, percent } from "../src/odds";

type Case = { mine: number; adding: number; paid: number; free: number; expected: number; now: number; if_full: number };
const cases = JSON.parse(readFileSync(new URL("./fixtures/odds.json", import.meta.url), "utf8")) as Case[];

describe("the chance of being drawn first", () => {
  it.each(cases)("agrees with the server for $mine + $adding of $paid paid, $free free, Np $expected", (c) => {
    expect(chances(c)).toEqual({ mine: c.mine + c.adding, now: c.now, if_full: c.if_full });
  });

  it("says a percentage people can read", () => {
    expect(percent(1, 40)).toBe("2.5%");
    expect(percent(1, 3)).toBe("33%");
    expect(percent(3, 100)).toBe("3%");
    expect(percent(3, 45)).toBe("6.7%");
    expect(percent(1, 1_000_000)).toBe("0.0001%");
    expect(percent(0, 10)).toBe("0%");
    expect(percent(5, 5)).toBe("100%");
  });
});
