import { beforeEach, describe, expect, it } from "vitest";

import { lang, plural, t } from "../src/i18n";
import { noteText } from "../src/i18n/words";

describe("words that count", () => {
  beforeEach(() => lang.set("en"));

  it("says one ticket, never 1 tickets", () => {
    expect(t("checkoutTickets", { n: 1, p1: "₩1,000" })).toBe("1 ticket (₩1,000 each)");
    expect(t("checkoutTickets", { n: 3, p1: "₩1,000" })).toBe("3 tickets (₩1,000 each)");
    expect(noteText("ListingClosed", "Lamp", { paid_tickets: 1 })).toBe("'Lamp' closed with 1 ticket.");
    expect(noteText("ListingClosed", "Lamp", { paid_tickets: 2 })).toBe("'Lamp' closed with 2 tickets.");
  });

  it("leaves a title that looks like the pattern alone", () => {
    expect(noteText("ListingClosed", "{n|a|b}", { paid_tickets: 1 })).toBe("'{n|a|b}' closed with 1 ticket.");
    expect(plural("{n|x|y}", { n: 0 })).toBe("y");
  });

  it("tells an entrant their place in the draw order when the note knows it", () => {
    const due = "2026-12-02T05:00:00Z";
    expect(noteText("DrawTookPlace", "Lamp", { due_at: due, place: 3 })).toContain("You are 3rd in the draw order.");
    expect(noteText("DrawTookPlace", "Lamp", { due_at: due })).not.toContain("draw order");
    lang.set("ko");
    expect(noteText("DrawTookPlace", "Lamp", { due_at: due, place: 3 })).toContain("회원님은 추첨 순서 3번째입니다.");
  });

  it("says why a payment came back when the note knows it", () => {
    const facts = { amount: 2_000, currency: "KRW", why: "closed" };
    expect(noteText("PaymentRefunded", "Lamp", facts)).toBe(
      "Your payment of ₩2,000 for 'Lamp' was refunded. The listing closed before your payment arrived, so no tickets could be issued.",
    );
    expect(noteText("PaymentRefunded", "Lamp", { amount: 2_000, currency: "KRW" })).toBe("Your payment of ₩2,000 for 'Lamp' was refunded.");
    lang.set("ko");
    expect(noteText("PaymentRefunded", "Lamp", facts)).toContain("결제가 도착하기 전에 응모가 마감되어");
  });
});
