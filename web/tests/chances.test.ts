// The chance a buyer reads before paying, from their own entries and the listing's counts: the
// tickets they hold while a payment is pending count as being bought (once, on both sides), free
// entries count as tickets in the draw, and the words say it now and if the listing fills.
import { afterEach, describe, expect, it } from "vitest";

import type { Entry, Listing } from "../src/api/client";
import { buyerChances, mineOn } from "../src/chances";
import { lang, t } from "../src/i18n";
import { percent } from "../src/odds";

afterEach(() => lang.set("ko"));

const listing = (paid: number, free: number, np: number) => ({ paid_tickets: paid, free_tickets: free, expected_entrants: np }) as Listing;
const entry = (tickets: number, status: string, payment_method = "card") => ({ tickets, status, payment_method }) as Entry;

describe("a buyer's chance of being drawn first", () => {
  it("counts the tickets chosen with those already in", () => {
    // 2 paid of 42 in, 1 free; buying 1 more: 3 of 44 now, 3 of 100 + 1 free if it fills
    const c = buyerChances(listing(42, 1, 100), [entry(2, "paid")], 1);
    expect(c).toEqual({ mine: 3, now: 44, if_full: 101 });
  });

  it("counts the entry being paid once: pending, it is not in the listing's counts yet", () => {
    // the checkout page: the pending entry of 3 is the one being paid (nothing more chosen)
    const c = buyerChances(listing(42, 0, 100), [entry(2, "paid"), entry(3, "pending")], 0);
    expect(c).toEqual({ mine: 5, now: 45, if_full: 100 });
    expect(c.mine).toBeLessThanOrEqual(c.now);
  });

  it("counts a free entry as a ticket in the draw, never one that lapsed or came back", () => {
    const mine = [entry(1, "paid", "free"), entry(2, "expired"), entry(1, "refunded")];
    expect(mineOn(mine)).toEqual({ inDraw: 1, held: 0, free: 1 });
    expect(buyerChances(listing(10, 1, 10), mine, 0)).toEqual({ mine: 1, now: 11, if_full: 11 });
  });

  it("knows nothing of a visitor's entries", () => {
    expect(buyerChances(listing(0, 0, 10), null, 1)).toEqual({ mine: 1, now: 1, if_full: 10 });
  });

  it("says it in words and numbers in both languages", () => {
    const of = (mine: number, n: number) => t("oddsOf", { mine, of: n, pct: percent(mine, n) });
    lang.set("en");
    expect(t("oddsYours", { now: of(3, 45), full: of(3, 100) })).toBe(
      "Your chance of being drawn first: 3 in 100 (3%) if it fills; 3 in 45 (6.7%) now, while few have entered",
    );
    lang.set("ko");
    expect(t("oddsYours", { now: of(3, 45), full: of(3, 100) })).toBe("먼저 뽑힐 확률: 다 차면 100장 중 3장 (3%), 아직 응모가 적은 지금은 45장 중 3장 (6.7%)");
  });
});
