// The sandbox provider's checkout page (local stack): what the payer pays for (the item, the
// number of tickets) and how much, then pay or fail.
import { useEffect, useState } from "preact/hooks";

import { api, paySandbox, unwrap } from "../api/client";
import { session } from "../api/session";
import { buyerChances, Odds } from "../chances";
import { notesSoon, turnAnswered } from "../notes";
import { t, tx, when } from "../i18n";
import { ErrorText, Money, useLoad } from "../ui";
import { myEntriesOn } from "./listing";

interface SandboxCheckout {
  reference: string;
  pays_for: "deposit" | "entry" | "p2" | "payout" | null;
  amount: number;
  currency: string;
  expires_at: string;
  listing_id?: string | null;
  title?: string | null; // the item
  tickets?: number | null; // an entry's
}

export function CheckoutPage({ id }: { id: string }) {
  const [c, error] = useLoad(async () => {
    const r = await fetch(`/sandbox/checkouts/${encodeURIComponent(id)}`);
    if (!r.ok) throw new Error(await r.text());
    return (await r.json()) as SandboxCheckout;
  }, [id]);
  // an entry's: the chance of being drawn first once paid, beside the refund rule (rule 21). The
  // entry being paid is among the buyer's own, pending: counted once, as tickets being bought.
  const entryListing = c?.pays_for === "entry" && c.tickets ? c.listing_id : null;
  const [odds] = useLoad(async () => {
    if (!entryListing) return null;
    const path = { params: { path: { listing_id: entryListing } } };
    const [listing, mine, policy] = await Promise.all([
      api.GET("/listings/{listing_id}", path).then(unwrap),
      session.current()?.group === "buyer" ? myEntriesOn(entryListing) : Promise.resolve(null),
      api.GET("/policy", {}).then(unwrap),
    ]);
    const paying = mine?.some((e) => e.status === "pending") ? 0 : (c?.tickets ?? 0); // not among them: counted here
    return { c: buyerChances(listing, mine, paying), free: policy.play.free_entry_cap > 0 || (listing.free_tickets ?? 0) > 0 };
  }, [entryListing]);
  const [done, setDone] = useState(false);
  const [payError, setPayError] = useState<unknown>(null);
  // an entry's checkout expires with its hold, never after the listing closes: Pay goes off then
  const [, expired] = useState(0);
  const left = c ? Date.parse(c.expires_at) - Date.now() : NaN;
  useEffect(() => {
    if (!(left > 0) || left > 2 ** 31 - 1) return;
    const timer = setTimeout(() => expired((n) => n + 1), left + 50);
    return () => clearTimeout(timer);
  }, [c?.expires_at, left > 0]);
  if (!c) return <ErrorText error={error} />;
  async function settle(outcome: "pay" | "fail") {
    try {
      await paySandbox(id, outcome);
      setDone(true);
      if (outcome === "pay" && c!.pays_for === "p2" && c!.listing_id) turnAnswered(c!.listing_id);
      else notesSoon();
      // a deposit: back to the listing's own page, which says it is open; a buyer's: their entries
      const back = c!.pays_for === "deposit" ? (c!.listing_id ? `#/sell/${encodeURIComponent(c!.listing_id)}` : "#/sell") : "#/entries";
      setTimeout(() => (window.location.hash = back), 800);
    } catch (e) {
      setPayError(e);
    }
  }
  const what =
    c.pays_for === "entry" && c.tickets
      ? tx("checkoutTickets", {
          n: c.tickets,
          p1: <Money amount={Math.round(c.amount / c.tickets)} currency={c.currency} />,
        })
      : c.pays_for === "p2"
        ? t("checkoutP2")
        : c.pays_for === "deposit"
          ? t("checkoutDeposit")
          : t("checkoutOther");
  return (
    <section aria-labelledby="checkout-title" class="panel">
      <h1 id="checkout-title">{t("checkout")}</h1>
      <dl class="facts">
        {c.title && (
          <>
            <dt>{t("checkoutItem")}</dt>
            <dd data-testid="checkout-item">{c.title}</dd>
          </>
        )}
        <dt>{t("checkoutFor")}</dt>
        <dd data-testid="checkout-what">{what}</dd>
        <dt>{t("amount")}</dt>
        <dd>
          <Money amount={c.amount} currency={c.currency} testId="checkout-amount" />
        </dd>
        <dt>{t("expiresAt")}</dt>
        <dd>{when(c.expires_at)}</dd>
      </dl>
      {c.pays_for === "entry" && (
        <div class="notice panel checkout-rule">
          {odds && <Odds c={odds.c} free={odds.free} />}
          <p data-testid="checkout-refund-rule">{t("refundRuleShort")}</p>
        </div>
      )}
      <ErrorText error={payError} />
      {!done && !(left > 0) && (
        <p role="status" data-testid="checkout-expired">
          {t("checkoutExpired")}
        </p>
      )}
      {done ? (
        <p role="status">{t("paid")}</p>
      ) : (
        <p>
          <button onClick={() => void settle("pay")} disabled={!(left > 0)}>
            {t("pay")}
          </button>{" "}
          <button class="secondary" onClick={() => void settle("fail")}>
            {t("payFails")}
          </button>
        </p>
      )}
    </section>
  );
}
