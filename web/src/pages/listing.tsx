import { Fragment } from "preact";
import { useState } from "preact/hooks";

import { api, ApiProblem, everyPage, unwrap, type Entry } from "../api/client";
import { session } from "../api/session";
import { span, statusText, t, tx, when } from "../i18n";
import { DEADLINES } from "../pricing";
import { go } from "../router";
import { ErrorText, Field, Money, useLoad, useProblem } from "../ui";
import { Gallery, SellerLine } from "../gallery";
import { w } from "../i18n/words";
import { ListingFacts } from "./browse";
import { rememberCheckout } from "./entries";
import { PlayHelp } from "./play";

/** The signed-in buyer's own entries on one listing (every page of /me/entries). */
export async function myEntriesOn(listingId: string): Promise<Entry[]> {
  const pages = await everyPage(async (cursor) =>
    unwrap(await api.GET("/me/entries", cursor ? { params: { query: { cursor } } } : {})),
  );
  return pages.flatMap((p) => p.entries).filter((e) => e.listing_id === listingId);
}

/** Tickets a buyer holds on a listing: paid, or held while their payment is pending. */
export function ticketsHeld(entries: Entry[]): number {
  return entries.filter((e) => e.status === "paid" || e.status === "pending").reduce((n, e) => n + e.tickets, 0);
}

/** What a buyer is told before paying: P1 is not refunded unless the listing fails. */
export function RefundRule() {
  return (
    <div class="panel notice" data-testid="refund-rule">
      <h2>{t("refundRuleTitle")}</h2>
      <p>{t("refundRule")}</p>
      <p>{t("refundRuleForfeit")}</p>
      <p>
        <a href="#/how">{t("howItWorks")}</a>
      </p>
    </div>
  );
}

export function ListingPage({ id, query }: { id: string; query?: URLSearchParams }) {
  const buyer = session.current()?.group === "buyer";
  const [l, loadError] = useLoad(
    async () => unwrap(await api.GET("/listings/{listing_id}", { params: { path: { listing_id: id } } })),
    [id],
    5,
  );
  const [mine] = useLoad(async () => (buyer ? myEntriesOn(id) : []), [id, buyer], 5);
  const [mileage] = useLoad(async () => (buyer ? unwrap(await api.GET("/me/mileage", {})) : null), [id, buyer]);
  const [tickets, setTickets] = useState(() => Math.max(1, Math.floor(Number(query?.get("tickets"))) || 1));
  const [error, setError, clear] = useProblem();
  const [busy, setBusy] = useState(false);
  // One key per attempt: a retried request (a lost answer, a double click) creates nothing twice.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  if (!l) return <ErrorText error={loadError} />;
  const cur = l.currency;
  const m = (n: number, testId?: string) => <Money amount={n} currency={cur} minor={l.currency_minor_units} testId={testId} />;
  const held = mine ? ticketsHeld(mine) : 0;
  const left = Math.max(0, l.ticket_limit - held);
  const now = l.first_payment * tickets;
  const p2 = Math.max(0, l.price + l.fee - l.first_payment * (l.paid_tickets + tickets));
  const all = held + tickets;
  const worst = l.first_payment * all + p2;
  // the server's own bound, said before asking it (its refusal reads the same)
  const tooMany = mine !== null && tickets > left ? ApiProblem.local("ticket_limit_exceeded", "tickets", { limit: l.ticket_limit, left }) : null;
  const shown = tooMany ?? error;

  async function enter(method: "card" | "mileage") {
    if (tooMany) return;
    setBusy(true);
    setError(null);
    try {
      const out = unwrap(
        await api.POST("/listings/{listing_id}/entries", {
          params: { path: { listing_id: id } },
          body: { tickets, payment_method: method },
          headers: { "Idempotency-Key": `${attempt}-${method}-${tickets}` },
        }),
      );
      setAttempt(crypto.randomUUID());
      if (out.checkout) {
        rememberCheckout(out.entry.entry_id, out.checkout);
        window.location.href = out.checkout.url;
      } else go("/entries");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="listing-title">
      <h1 id="listing-title">{l.title}</h1>
      <Gallery photos={l.photos} title={l.title} />
      <SellerLine l={l} />
      <p class="muted">
        {statusText(l.status)} · {t(l.status === "open" ? "closesAt" : "closedAt")} <span class="when">{when(l.closes_at)}</span>
        {l.status === "open" && l.close_when_full && <> · {w("closesWhenFull", { n: l.expected_entrants })}</>}
      </p>
      {l.description && <p class="description">{l.description}</p>}
      <ListingFacts l={l} />
      <details>
        <summary>{t("deadlines")}</summary>
        <dl class="facts" data-testid="deadlines">
          {DEADLINES.map((d) => (
            <Fragment key={d}>
              <dt>{t(`deadline_${d}`)}</dt>
              <dd>{span(l.deadlines[d])}</dd>
            </Fragment>
          ))}
        </dl>
      </details>
      <p>
        <a href={`#/draw/${encodeURIComponent(l.listing_id)}`}>{t("draw")}</a>
      </p>
      {l.status === "open" && <RefundRule />}
      {l.status === "open" && buyer && (
        <form
          class="panel"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void enter("card");
          }}
        >
          {held > 0 && (
            <p data-testid="tickets-held">{t("youHold", { n: held, limit: l.ticket_limit, left })}</p>
          )}
          {left === 0 && mine !== null ? (
            <p class="notice" data-testid="at-limit">
              {t("atLimit", { limit: l.ticket_limit })}
            </p>
          ) : (
            <>
          <Field label={t("tickets")} id="tickets" error={shown} onClear={clear}>
            <input
              id="tickets"
              type="number"
              inputMode="numeric"
              min={1}
              max={l.ticket_limit}
              value={tickets}
              aria-describedby="tickets-limit"
              onInput={(e) => setTickets(Math.max(1, Math.floor(Number((e.target as HTMLInputElement).value)) || 1))}
            />
            <small id="tickets-limit">{t("limit", { n: l.ticket_limit })}</small>
          </Field>
          <dl class="facts">
            <dt>{t("totalNow")}</dt>
            <dd>
              {m(now, "total-now")} <span class="muted">{tx("ticketsTimesP1", { n: tickets, p1: m(l.first_payment) })}</span>
            </dd>
            <dt>{t("worstCase")}</dt>
            <dd>
              {m(worst, "worst-case")}
              <br />
              <small data-testid="worst-case-parts">
                {tx(held > 0 ? "worstCasePartsHeld" : "worstCaseParts", {
                  n: all,
                  held,
                  now: tickets,
                  p1s: m(l.first_payment * all),
                  p2: m(p2),
                })}
              </small>
            </dd>
          </dl>
          <ErrorText error={shown} />
          <PlayHelp error={shown} />
          <button type="submit" disabled={busy}>
            {t("apply")}
          </button>{" "}
          <button
            type="button"
            class="secondary"
            disabled={busy}
            onClick={() => void enter("mileage")}
          >
            {t("payWithMileage")}
          </button>
          {mileage && (
            <small class="mileage-balance" data-testid="mileage-balance">
              {" "}
              {tx("yourMileage", { amount: <Money amount={mileage.balance} currency={mileage.currency} /> })}
            </small>
          )}
          <ErrorText error={shown} field="payment_method" currency={cur} />
            </>
          )}
        </form>
      )}
      {l.status === "open" && !buyer && !session.current() && (
        <p>
          <a href="#/signin">{t("signIn")}</a>
        </p>
      )}
    </section>
  );
}
