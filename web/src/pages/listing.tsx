import { Fragment, type ComponentChildren } from "preact";
import { useState } from "preact/hooks";

import { api, ApiProblem, everyPage, unwrap, type Entry } from "../api/client";
import { session } from "../api/session";
import { buyerChances, mineOn, Odds } from "../chances";
import { shortTicket, span, statusText, t, tx, when } from "../i18n";
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

/** What a buyer is told before paying: their chance of being drawn first (``children``), and
 * beside it that P1 is not refunded unless the listing fails. */
export function RefundRule({ children }: { children?: ComponentChildren }) {
  return (
    <div class="panel notice" data-testid="refund-rule">
      <h2>{t("refundRuleTitle")}</h2>
      {children}
      <p>{t("refundRule")}</p>
      <p>{t("refundRuleForfeit")}</p>
      <p>
        <a href="#/how">{t("howItWorks")}</a>
      </p>
    </div>
  );
}

/** Said once a free entry is made: its ticket, and where entries are. */
function FreeEntered({ entry }: { entry: Entry }) {
  const ticket = entry.ticket_ids[0] ?? "";
  return (
    <p role="status" class="ok" data-testid="free-entered">
      {tx("freeDone", {
        ticket: (
          <span class="ticket" title={ticket}>
            {shortTicket(ticket)}
          </span>
        ),
      })}{" "}
      <a href="#/entries">{t("myEntries")}</a>
    </p>
  );
}

/** The free entry route beside the paid one (docs/RULES.md, rule 20): one ticket, the same
 * chance, no payment, up to ``cap`` per person on a listing; a refusal said next to it. */
function FreeEntry({ listingId, cap, used, onEntered }: { listingId: string; cap: number; used: number; onEntered: (e: Entry) => void }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function enter() {
    setBusy(true);
    setError(null);
    try {
      const out = unwrap(await api.POST("/listings/{listing_id}/free-entry", { params: { path: { listing_id: listingId } } }));
      onEntered(out.entry);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="free-entry" aria-labelledby="free-entry-title" data-testid="free-entry">
      <h2 id="free-entry-title">{t("freeTitle")}</h2>
      <p>{t("freeWhat", { n: cap })}</p>
      <p class="muted">{t("freeNothingBack")}</p>
      {used >= cap ? (
        <p data-testid="free-used">{t("freeUsed", { cap })}</p>
      ) : (
        <button type="button" disabled={busy} onClick={() => void enter()}>
          {t("freeEnter")}
        </button>
      )}
      <ErrorText error={error} all />
      <PlayHelp error={error} />
    </section>
  );
}

export function ListingPage({ id, query }: { id: string; query?: URLSearchParams }) {
  const buyer = session.current()?.group === "buyer";
  const [l, loadError, reloadListing] = useLoad(
    async () => unwrap(await api.GET("/listings/{listing_id}", { params: { path: { listing_id: id } } })),
    [id],
    5,
  );
  const [mine, , reloadMine] = useLoad(async () => (buyer ? myEntriesOn(id) : []), [id, buyer], 5);
  const [mileage] = useLoad(async () => (buyer ? unwrap(await api.GET("/me/mileage", {})) : null), [id, buyer]);
  const [policy] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
  const [tickets, setTickets] = useState(() => Math.max(1, Math.floor(Number(query?.get("tickets"))) || 1));
  const [error, setError, clear] = useProblem();
  const [busy, setBusy] = useState(false);
  // One key per attempt: a retried request (a lost answer, a double click) creates nothing twice.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  const [freeEntered, setFreeEntered] = useState<Entry | null>(null);
  if (!l) return <ErrorText error={loadError} />;
  const cur = l.currency;
  const m = (n: number, testId?: string) => <Money amount={n} currency={cur} minor={l.currency_minor_units} testId={testId} />;
  const held = mine ? ticketsHeld(mine) : 0; // towards the limit: free entries too
  const freeHeld = mineOn(mine).free;
  const paidHeld = held - freeHeld; // what P1 was (or is being) paid for
  const left = Math.max(0, l.ticket_limit - held);
  const now = l.first_payment * tickets;
  const p2 = Math.max(0, l.price + l.fee - l.first_payment * (l.paid_tickets + tickets));
  const all = paidHeld + tickets;
  const worst = l.first_payment * all + p2;
  // the server's own bound, said before asking it (its refusal reads the same)
  const tooMany = mine !== null && tickets > left ? ApiProblem.local("ticket_limit_exceeded", "tickets", { limit: l.ticket_limit, left }) : null;
  const shown = tooMany ?? error;
  const open = l.status === "open";
  const atLimit = left === 0 && mine !== null;
  const buying = open && buyer && !atLimit;
  const freeCap = policy?.play.free_entry_cap ?? 0;
  const freeOn = freeCap > 0 || (l.free_tickets ?? 0) > 0;
  // before any purchase: a visitor reads one ticket's chance (the server's figures), a buyer
  // their own with the tickets chosen (and those they hold)
  const odds = buyer ? (
    <Odds c={buyerChances(l, mine, buying ? tickets : 0)} free={freeOn} />
  ) : (
    <Odds c={l.one_ticket_chances} one free={freeOn} />
  );
  const reload = () => (reloadListing(), reloadMine());

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
        {statusText(l.status)} · {t(open ? "closesAt" : "closedAt")} <span class="when">{when(l.closes_at)}</span>
        {open && l.close_when_full && <> · {w("closesWhenFull", { n: l.expected_entrants })}</>}
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
      {/* the chance and the refund rule together; in the buy form, right before paying */}
      {open && !buying && <RefundRule>{odds}</RefundRule>}
      {open && buyer && (
        <form
          class="panel"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void enter("card");
          }}
        >
          {freeEntered && <FreeEntered entry={freeEntered} />}
          {held > 0 && (
            <p data-testid="tickets-held">{t("youHold", { n: held, limit: l.ticket_limit, left })}</p>
          )}
          {atLimit ? (
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
                {tx(paidHeld > 0 ? "worstCasePartsHeld" : "worstCaseParts", {
                  n: all,
                  held: paidHeld,
                  now: tickets,
                  p1s: m(l.first_payment * all),
                  p2: m(p2),
                })}
              </small>
            </dd>
          </dl>
          <RefundRule>{odds}</RefundRule>
          <ErrorText error={shown} />
          <PlayHelp error={shown} />
          <p class="actions buy">
            <button type="submit" disabled={busy}>
              {t("apply")}
            </button>
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
                {tx("yourMileage", { amount: <Money amount={mileage.balance} currency={mileage.currency} /> })}
              </small>
            )}
          </p>
          <ErrorText error={shown} field="payment_method" currency={cur} />
          {freeCap > 0 && <FreeEntry listingId={id} cap={freeCap} used={freeEntries(mine)} onEntered={(e) => (setFreeEntered(e), reload())} />}
            </>
          )}
        </form>
      )}
      {open && !buyer && !session.current() && (
        <p>
          <a href="#/signin">{t("signIn")}</a>
        </p>
      )}
    </section>
  );
}

/** Free entries a buyer made on a listing (each one ticket, in the draw at once). */
function freeEntries(entries: Entry[] | null): number {
  return (entries ?? []).filter((e) => e.payment_method === "free" && e.status === "paid").length;
}
