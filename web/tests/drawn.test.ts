import { describe, expect, it } from "vitest";

import type { Schemas } from "../src/api/client";
import { stillDue } from "../src/drawn";

type Note = Schemas["NoteView"];
const NOW = Date.parse("2026-12-01T12:00:00Z");

function note(kind: string, listing: string, at: string, facts: Record<string, string | number> = {}): Note {
  return { note_id: `${at}#${kind}`, kind, listing_id: listing, title: "Lamp", facts, at, read: false, channels: {} };
}

const drawn = (listing: string, due: string) =>
  note("SecondPaymentDue", listing, "2026-12-01T11:00:00Z", { amount: 60000, currency: "KRW", due_at: due });

describe("the drawn banner", () => {
  it("shows the newest draw still due", () => {
    const n = drawn("L1", "2026-12-01T13:00:00Z");
    expect(stillDue([n], NOW)).toBe(n);
  });
  it("hides it once the deadline passed", () => {
    expect(stillDue([drawn("L1", "2026-12-01T11:30:00Z")], NOW)).toBeNull();
  });
  it("hides it once paid or passed on the same listing, not on another", () => {
    const d = drawn("L1", "2026-12-01T13:00:00Z");
    expect(stillDue([note("FinalBuyer", "L1", "2026-12-01T11:10:00Z"), d], NOW)).toBeNull();
    expect(stillDue([note("CandidatePassed", "L1", "2026-12-01T11:10:00Z"), d], NOW)).toBeNull();
    expect(stillDue([note("FinalBuyer", "L2", "2026-12-01T11:10:00Z"), d], NOW)).toBe(d);
  });
  it("is read even when the note was", () => {
    const d = { ...drawn("L1", "2026-12-01T13:00:00Z"), read: true };
    expect(stillDue([d], NOW)).toBe(d);
  });
});
