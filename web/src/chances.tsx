// The chance of being drawn first, in words and numbers, before every purchase (docs/RULES.md,
// rule 21): "3 in 45 (6.7%) now; 3 in 100 (3%) if it fills". The rule is odds.ts's (the
// server's, mirrored and tested); this only says it.
import type { Entry, Listing } from "./api/client";
import { lang, t, tx } from "./i18n";
import { chances, percent, type Chances } from "./odds";

/** A buyer's tickets on a listing as the draw counts them: those in it (paid, free entries too)
 * and those held while their payment is pending (not yet in the listing's counts). */
export function mineOn(entries: Entry[] | null): { inDraw: number; held: number; free: number } {
  const es = entries ?? [];
  const sum = (f: (e: Entry) => boolean) => es.filter(f).reduce((n, e) => n + e.tickets, 0);
  return {
    inDraw: sum((e) => e.status === "paid"),
    held: sum((e) => e.status === "pending"),
    free: sum((e) => e.status === "paid" && e.payment_method === "free"),
  };
}

/** The chances of a buyer who holds ``entries`` on ``l`` and buys ``buying`` more. Tickets held
 * while a payment is pending count as being bought (in the draw once paid, on both sides of the
 * fraction), so nothing is counted twice: on the checkout page the entry being paid is one. */
export function buyerChances(l: Listing, entries: Entry[] | null, buying: number): Chances {
  const mine = mineOn(entries);
  return chances({
    mine: mine.inDraw,
    adding: mine.held + buying,
    paid: l.paid_tickets,
    free: l.free_tickets ?? 0,
    expected: l.expected_entrants,
  });
}

function count(n: number): string {
  return new Intl.NumberFormat(lang.get() === "ko" ? "ko-KR" : "en-US").format(n);
}

/** "3 in 45 (6.7%)", kept on one line. */
function Of({ mine, of }: { mine: number; of: number }) {
  return <span class="nowrap odds-of">{t("oddsOf", { mine: count(mine), of: count(of), pct: percent(mine, of) })}</span>;
}

/** The chance now and if the listing fills; ``one``: a single ticket's (for someone not buying
 * yet), else the buyer's own with the tickets chosen. */
export function Odds({ c, one = false, free = false, testId = "odds" }: { c: Chances; one?: boolean; free?: boolean; testId?: string }) {
  const same = c.now === c.if_full;
  const key = one ? (same ? "oddsOneSame" : "oddsOne") : same ? "oddsYoursSame" : "oddsYours";
  return (
    <div class="odds" data-testid={testId} aria-live="polite">
      <p class="odds-line">
        {tx(key, { now: <Of mine={c.mine} of={c.now} />, full: <Of mine={c.mine} of={c.if_full} /> })}
      </p>
      <p class="muted">{t(free ? "oddsHowFree" : "oddsHow")}</p>
    </div>
  );
}
