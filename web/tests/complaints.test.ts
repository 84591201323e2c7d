// Complaints and the free entry route in words: each refusal the server sends for them has its own
// sentence (not the listing's), a topic and a spending week read as people say them.
import { afterEach, describe, expect, it } from "vitest";

import { problemOf } from "../src/api/problem";
import { errorText } from "../src/errors";
import { lang } from "../src/i18n";
import { TOPICS, topicText, weekText } from "../src/play-words";

afterEach(() => lang.set("ko"));

describe("the free entry route's refusals", () => {
  it("says the free entries are used up, not the listing's ticket limit", () => {
    const e = problemOf(409, "Conflict", {
      error: { code: "ticket_limit_exceeded", message: "at most 1 free entries", field: "free_entry", limits: { limit: 1, left: 0 } },
    });
    lang.set("en");
    expect(errorText(e)).toBe("You may enter a listing for free 1 time, and you have.");
    lang.set("ko");
    expect(errorText(e)).toBe("한 추첨에 무료 응모는 1번까지 할 수 있고, 이미 하셨습니다.");
  });

  it("says when there is no free route", () => {
    lang.set("en");
    const e = problemOf(409, "Conflict", { error: { code: "not_allowed_now", message: "x", field: "free_entry" } });
    expect(errorText(e)).toBe("Free entries are not offered here.");
  });
});

describe("complaints in words", () => {
  it("says five are waiting already, and that an answer is given once", () => {
    lang.set("en");
    const full = problemOf(409, "Conflict", { error: { code: "not_allowed_now", message: "x", field: "complaint" } });
    expect(errorText(full)).toContain("5 complaints waiting for an answer already");
    const again = problemOf(409, "Conflict", { error: { code: "not_allowed_now", message: "x", field: "answer" } });
    expect(errorText(again)).toBe("This complaint was answered already, with another answer.");
  });

  it("names every topic in both languages", () => {
    for (const l of ["ko", "en"] as const) {
      lang.set(l);
      const names = TOPICS.map(topicText);
      expect(new Set(names).size).toBe(TOPICS.length);
      for (const [i, name] of names.entries()) expect(name).not.toBe(TOPICS[i]);
    }
    expect(topicText("refunds")).toBe("refunds");
  });

  it("reads a spending week as a week of a year", () => {
    lang.set("en");
    expect(weekText("W2026-W49")).toBe("week 49 of 2026");
    expect(weekText("2027-W01")).toBe("week 1 of 2027");
    lang.set("ko");
    expect(weekText("W2026-W49")).toBe("2026년 49주차");
    expect(weekText("someday")).toBe("someday");
  });
});
