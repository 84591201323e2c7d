// Responsible play's refusals say what the server sent beside the code: until when a break or an
// exclusion lasts, and which spend window a purchase would pass and when it starts again.
import { afterEach, describe, expect, it } from "vitest";

import { problemOf } from "../src/api/problem";
import { errorText } from "../src/errors";
import { lang, when } from "../src/i18n";

afterEach(() => lang.set("ko"));

const until = "2026-12-03T08:00:00+00:00";

describe("a responsible-play refusal in words", () => {
  it("says until when a break lasts, and keeps it once a field is cleared", () => {
    const e = problemOf(403, "Forbidden", { error: { code: "on_break", message: "x", field: "break", until } });
    expect(e.facts.until).toBe(until);
    expect(errorText(e)).toBe(`${when(until)}까지 쉬어가는 중이라 응모하거나 상품을 올릴 수 없습니다.`);
    lang.set("en");
    expect(errorText(e)).toContain(`until ${when(until)}`);
    expect(e.without("tickets")?.facts.until).toBe(until);
  });

  it("says a self-exclusion cannot be lifted early, with its end", () => {
    const e = problemOf(403, "Forbidden", { error: { code: "self_excluded", message: "x", field: "exclusion", until } });
    lang.set("en");
    expect(errorText(e)).toBe(`You have excluded yourself from play until ${when(until)}; it cannot be lifted early.`);
  });

  it("names the spend window, the limit, what was spent and when it starts again", () => {
    const e = problemOf(409, "Conflict", {
      error: { code: "spend_limit_reached", message: "x", field: "spend_limit", limits: { limit: 30000, spent: 29000 }, window: "day", resets_at: until },
    });
    expect(errorText(e)).toBe(`하루 지출 한도 30,000원을 넘게 됩니다(지금까지 29,000원 사용). ${when(until)}에 다시 시작합니다.`);
    lang.set("en");
    expect(errorText(e)).toBe(`This would take you past your daily spend limit of ₩30,000 (₩29,000 spent so far); it starts again ${when(until)}.`);
  });

  it("falls back to the words without the facts when the server sent none", () => {
    lang.set("en");
    expect(errorText(problemOf(403, "Forbidden", { error: { code: "on_break", message: "x" } }))).toContain("taking a break");
    const limit = problemOf(409, "Conflict", { error: { code: "spend_limit_reached", message: "x", limits: { limit: 100, spent: 90 } } });
    expect(errorText(limit)).toBe("This would take you past your spend limit of ₩100 (₩90 spent so far).");
  });
});

describe("a verification that did not finish", () => {
  it("says so in its own words, not the listing's", () => {
    lang.set("en");
    const e = problemOf(409, "Conflict", { error: { code: "not_allowed_now", message: "x", field: "verification_id" } });
    expect(errorText(e)).toBe("The identity verification was not finished, so nothing was verified: start it again.");
    const other = problemOf(400, "Bad Request", { error: { code: "invalid_input", message: "x", field: "verification_id" } });
    expect(errorText(other)).toContain("not started on the account you are signed in with");
    expect(errorText(problemOf(409, "Conflict", { error: { code: "not_allowed_now", message: "x", field: "tickets" } }))).toBe("This cannot be done at the listing's current step.");
  });
});
