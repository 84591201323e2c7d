import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

import { api, everyPage, unwrap, type Entry, type Schemas } from "../api/client";
import { trackingUrl } from "../carriers";
import { duration, ordinal, shortTicket, t, tx, when } from "../i18n";
import { drawPlaces, turnAnswered } from "../notes";
import { route } from "../router";
import { signal, useSignal } from "../signal";
import { DisputeCase, DisputeForm } from "../dispute";
import { OrderTimeline } from "../timeline";
import { ConfirmButton, ErrorText, Money, Tabs, useLoad, useProblem } from "../ui";
import { PlayHelp } from "./play";

// ---------------------------------------------------------------- checkouts in progress
// The API does not say where a pending entry's checkout is; the page that opened it keeps it
// here, so that "continue paying" can take the buyer back while the hold lasts.
type Checkout = Schemas["CheckoutView"];
const CHECKOUT = "tombola.checkout.";

export function rememberCheckout(entryId: string, c: Checkout): void {
  try {
    localStorage.setItem(CHECKOUT + entryId, JSON.stringify({ url: c.url, expires_at: c.expires_at }));
  } catch {
    // storage full or refused: the buyer can still enter again
  }
}

function rememberedCheckout(entryId: string): { url: string; expires_at: string } | null {
  const raw = localStorage.getItem(CHECKOUT + entryId);
  if (!raw) return null;
  const c = JSON.parse(raw) as { url: string; expires_at: string };
  return new Date(c.expires_at).getTime() > Date.now() ? c : null;
}

// ---------------------------------------------------------------- a listing's entries together

/** One listing's entries of this buyer: what the cards show. */
export interface Holding {
  listingId: string;
  title: string;
  entries: Entry[];
  first: Entry; // the listing-wide fields (status, phase, candidate, final buyer, shipment) are the same on each
  paid: Entry[];
  tickets: number; // paid
  p1Paid: number;
  currency: string;
}

export function holdings(entries: Entry[]): Holding[] {
  const by = new Map<string, Entry[]>();
  for (const e of entries) by.set(e.listing_id, [...(by.get(e.listing_id) ?? []), e]);
  return [...by.values()].map((es) => {
    const paid = es.filter((e) => e.status === "paid");
    return {
      listingId: es[0].listing_id,
      title: es[0].listing_title,
      entries: es,
      first: { ...es[0], candidate: es.some((e) => e.candidate), final_buyer: es.some((e) => e.final_buyer), passed: es.some((e) => e.passed), second_payment: es.find((e) => e.second_payment)?.second_payment ?? null, shipment: es.find((e) => e.shipment)?.shipment ?? null, pseudonym: es.find((e) => e.pseudonym)?.pseudonym ?? null },
      paid,
      tickets: paid.reduce((n, e) => n + e.tickets, 0),
      p1Paid: paid.reduce((n, e) => n + e.amount, 0),
      currency: es[0].currency,
    };
  });
}

const SALE_PHASES = ["awaiting_shipment", "in_transit", "closing_sale", "sold"];

/** Past: the listing ended (sold or not), or it went on without this buyer (gave up, another buyer
 * bought it, or their payment never went through and entries are closed). */
export function isPast(h: Holding): boolean {
  const e = h.first;
  if (e.listing_phase === "sold" || e.listing_phase === "not_sold") return true;
  if (e.passed) return true;
  if (SALE_PHASES.includes(e.listing_phase) && !e.final_buyer) return true;
  return h.paid.length === 0 && !h.entries.some((x) => x.status === "pending") && e.listing_status !== "open";
}

/** A tracking number, linked to its carrier's tracking page when the carrier is known. */
export function Shipment({ carrier, tracking }: { carrier: string; tracking: string }) {
  const url = trackingUrl(carrier, tracking);
  return url ? (
    <a href={url} target="_blank" rel="noopener noreferrer" class="tracking" data-testid="tracking-link">
      {tracking}
    </a>
  ) : (
    <span class="tracking">{tracking}</span>
  );
}

/** The holding's state in words: what the buyer waits for, or what they must do now. */
export function Standing({ h }: { h: Holding }): ComponentChildren {
  const e = h.first;
  const m = (n: number) => <Money amount={n} currency={h.currency} />;
  if (e.candidate && e.second_payment) return tx("entryDrawn", { amount: m(e.second_payment.amount), due: when(e.second_payment.due_at) });
  if (e.final_buyer) {
    const s = e.shipment;
    const ship = s ? { carrier: s.carrier, tracking: <Shipment carrier={s.carrier} tracking={s.tracking_number} /> } : null;
    switch (e.listing_status) {
      case "final_buyer":
        return t("entryFinal");
      case "shipped":
        return ship ? tx("entryShipped", ship) : t("status_shipped");
      case "delivered":
        return ship ? tx("entryDelivered", ship) : t("status_delivered");
      case "disputed":
        return t("entryDisputed");
      case "confirmed":
        return t("entryConfirmed");
      case "settled":
        return t("entryBought");
      default:
        return t("entrySaleCancelled");
    }
  }
  if (h.paid.length === 0) {
    if (h.entries.some((x) => x.status === "pending")) return t("entryPending");
    return t("entryPaymentFailed");
  }
  if (e.listing_phase === "before_draw") return t("entryWaiting");
  if (e.passed) return t("entryPassed");
  if (e.listing_phase === "drawing") return t("entryNextInLine");
  if (e.listing_status === "unsold") return t("entryUnsold");
  if (e.listing_status === "cancelled") return t("entryCancelled");
  return t("entryLost");
}

function Countdown({ due }: { due: string }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = Math.max(0, Math.round((new Date(due).getTime() - now) / 1000));
  return (
    <span class="countdown" aria-live="off">
      {duration(left)}
    </span>
  );
}

/** An entry whose payment is not done: waiting (continue paying), failed or lapsed (try again
 * while entries are open), or refunded because it came too late. */
function PaymentNote({ e, open }: { e: Entry; open: boolean }) {
  const amount = <Money amount={e.amount} currency={e.currency} />;
  if (e.status === "pending") {
    const c = rememberedCheckout(e.entry_id);
    return (
      <li data-testid="payment-pending">
        {tx("paymentPending", { n: e.tickets, amount, until: when(e.hold_expires_at) })}{" "}
        {c && <a href={c.url}>{t("continuePaying")}</a>}
      </li>
    );
  }
  if (e.status === "expired") {
    return (
      <li data-testid="payment-failed">
        {tx("paymentFailed", { n: e.tickets, amount })}{" "}
        {open && (
          <a href={`#/listing/${encodeURIComponent(e.listing_id)}?tickets=${e.tickets}`} data-testid="retry">
            {t("tryAgain")}
          </a>
        )}
      </li>
    );
  }
  if (e.status === "refunded") return <li>{tx("paymentRefundedLate", { n: e.tickets, amount })}</li>;
  return null;
}

function EntryCard({ h, reload, place }: { h: Holding; reload: () => void; place: number | null }) {
  const [error, setError] = useProblem();
  const e = h.first;
  const path = { params: { path: { listing_id: h.listingId } } };
  // the final buyer's whole payment (P1s + P2) from their order's timeline, and the price the
  // seller is paid when they confirm receipt
  const [sale] = useLoad(
    async () =>
      e.final_buyer
        ? Promise.all([
            unwrap(await api.GET("/listings/{listing_id}/timeline", path)),
            unwrap(await api.GET("/listings/{listing_id}", path)),
          ])
        : null,
    [h.listingId, e.final_buyer],
  );
  const [timeline, listing] = sale ?? [null, null];
  const total = timeline ? timeline.paid_so_far : null;
  const p2 = total !== null ? total - h.p1Paid : null;
  const m = (n: number, testId?: string) => <Money amount={n} currency={h.currency} testId={testId} />;
  async function act(f: () => Promise<void>) {
    setError(null);
    try {
      await f();
      reload();
    } catch (err) {
      setError(err);
    }
  }
  const tickets = h.paid.flatMap((x) => x.ticket_ids);
  const free = h.paid.filter((x) => x.payment_method === "free").reduce((n, x) => n + x.tickets, 0);
  const mileage = h.paid.some((x) => x.mileage_earned != null) ? h.paid.reduce((n, x) => n + (x.mileage_earned ?? 0), 0) : null;
  // a payment that failed or lapsed matters while it can be tried again: the listing is open
  // and no later payment went through; one still pending always does
  const paidSince = (x: Entry) => h.paid.some((p) => p.created_at > x.created_at);
  const unpaid = h.entries.filter(
    (x) => x.status === "pending" || (x.status !== "paid" && x.listing_status === "open" && !paidSince(x)) || x.status === "refunded",
  );
  return (
    <li class="card" data-testid={`entry-${h.listingId}`}>
      <h2>
        <a href={`#/listing/${encodeURIComponent(h.listingId)}`}>{h.title}</a>
      </h2>
      <p class="standing" data-testid="standing">
        <Standing h={h} />
      </p>
      <dl class="facts">
        <dt>{t("tickets")}</dt>
        <dd>{h.tickets}</dd>
        {free > 0 && (
          <>
            <dt>{t("freeEntry")}</dt>
            <dd data-testid="free-entry">{t("freeEntryWhat", { n: free })}</dd>
          </>
        )}
        {/* a free entry is not a ₩0 payment: P1 only when some tickets were paid for */}
        {free < h.tickets && (
          <>
            <dt>{t("p1Paid")}</dt>
            <dd>{m(h.p1Paid, "p1-paid")}</dd>
          </>
        )}
        {e.final_buyer && total !== null && p2 !== null && (
          <>
            <dt>{t("p2Paid")}</dt>
            <dd>{m(p2)}</dd>
            <dt>{t("totalPaid")}</dt>
            <dd>{m(total, "total-paid")}</dd>
          </>
        )}
        {e.final_buyer && e.shipment && (
          <>
            <dt>{t("shipment")}</dt>
            <dd data-testid="shipment">
              {e.shipment.carrier} <Shipment carrier={e.shipment.carrier} tracking={e.shipment.tracking_number} />
            </dd>
          </>
        )}
        {place !== null && e.listing_phase === "drawing" && !e.candidate && !e.passed && (
          <>
            <dt>{t("placeInLine")}</dt>
            <dd data-testid="place-in-line">
              <a href={`#/draw/${encodeURIComponent(h.listingId)}`}>{ordinal(place)}</a>
            </dd>
          </>
        )}
        {e.pseudonym && (
          <>
            <dt>{t("pseudonym")}</dt>
            <dd>
              <span class="pseudonym">{e.pseudonym}</span>
            </dd>
          </>
        )}
        {tickets.length > 0 && (
          <>
            <dt>{t("ticketIds")}</dt>
            <dd data-testid="tickets">
              {tickets.map((id, i) => (
                <span key={id}>
                  {i > 0 && ", "}
                  <span class="ticket" title={id}>
                    {shortTicket(id)}
                  </span>
                </span>
              ))}
            </dd>
          </>
        )}
        {mileage !== null && mileage > 0 && (
          <>
            <dt>{t("mileageEarned")}</dt>
            <dd>{m(mileage, "mileage-earned")}</dd>
          </>
        )}
      </dl>
      {unpaid.length > 0 && (
        <ul class="notes">
          {unpaid.map((x) => (
            <PaymentNote key={x.entry_id} e={x} open={x.listing_status === "open"} />
          ))}
        </ul>
      )}
      {e.candidate && e.second_payment && (
        <p class="actions">
          <Countdown due={e.second_payment.due_at} />{" "}
          <button
            onClick={() =>
              void act(async () => {
                const out = unwrap(await api.POST("/listings/{listing_id}/second-payment", path));
                window.location.href = out.checkout.url;
              })
            }
          >
            {t("pay")} {m(e.second_payment.amount)}
          </button>{" "}
          <ConfirmButton
            class="secondary"
            label={t("giveUp")}
            title={t("giveUpTitle")}
            confirmLabel={t("giveUp")}
            onConfirm={() =>
              void act(async () => {
                unwrap(await api.POST("/listings/{listing_id}/forfeit", path));
                turnAnswered(h.listingId);
              })
            }
          >
            <p>{tx("giveUpWhat", { p2: m(e.second_payment.amount), p1: m(h.p1Paid) })}</p>
            <p>{t("cannotUndo")}</p>
          </ConfirmButton>
        </p>
      )}
      {e.final_buyer && e.listing_phase === "in_transit" && (
        <div>
          <ConfirmButton
            label={t("confirmReceipt")}
            title={t("confirmReceiptTitle")}
            confirmLabel={t("confirmReceipt")}
            onConfirm={() =>
              void act(async () => {
                unwrap(await api.POST("/listings/{listing_id}/confirm", path));
                confirmed.set(h.title); // the card moves to Past: the page says where it went
              })
            }
          >
            <p>{tx("confirmReceiptWhat", { price: listing ? m(listing.price) : "—", total: total !== null ? m(total) : "—" })}</p>
            <p>{t("cannotUndo")}</p>
          </ConfirmButton>
          {/* folded, away from "confirm receipt": a different step, for when something is wrong */}
          <details class="dispute-open">
            <summary>{t("somethingWrong")}</summary>
            <DisputeForm listingId={h.listingId} onOpened={reload} />
          </details>
        </div>
      )}
      {e.final_buyer && (e.listing_status === "disputed" || timeline?.dispute) && <DisputeCase listingId={h.listingId} role="buyer" />}
      <OrderTimeline
        listingId={h.listingId}
        refreshKey={`${e.listing_status}|${e.shipment?.tracking_number ?? ""}|${e.second_payment?.amount ?? ""}`}
        open={(e.candidate || e.final_buyer) && !["sold", "not_sold"].includes(e.listing_phase)}
      />
      <ErrorText error={error} currency={h.currency} />
      <PlayHelp error={error} />
    </li>
  );
}

type Tab = "current" | "past";

/** The title of the item whose receipt was just confirmed here (its card has moved to Past). */
const confirmed = signal<string | null>(null);

export function EntriesPage({ query }: { query?: URLSearchParams }) {
  const tab: Tab = query?.get("tab") === "past" ? "past" : "current"; // in the address: a link can open either
  const justConfirmed = useSignal(confirmed);
  const [list, error, reload] = useLoad(
    async () => {
      // every page (each holds the entries of up to 100 listings), oldest entry first
      const pages = await everyPage(async (cursor) =>
        unwrap(await api.GET("/me/entries", cursor ? { params: { query: { cursor } } } : {})),
      );
      const entries = pages.flatMap((p) => p.entries);
      entries.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.entry_id.localeCompare(b.entry_id));
      return { holdings: holdings(entries) };
    },
    [],
    5,
  );
  // what moves them: a listing's status (drawn, settled); read again then, not polled
  const moved = (list?.holdings ?? []).map((x) => `${x.listingId}:${x.first.listing_status}`).join(",");
  const drawing = (list?.holdings ?? []).some((x) => x.first.listing_phase === "drawing");
  const [places] = useLoad(async () => (drawing ? drawPlaces() : null), [drawing, moved], drawing ? 10 : 0);
  // as fresh as the entries: a settlement that credits mileage changes a status too
  const [mileage] = useLoad(async () => unwrap(await api.GET("/me/mileage", {})), [moved]);
  const past = list?.holdings.filter(isPast) ?? [];
  const current = list?.holdings.filter((h) => !isPast(h)) ?? [];
  const shown = tab === "past" ? past : current;
  function choose(next: Tab) {
    const to = next === "past" ? "/entries?tab=past" : "/entries";
    history.replaceState(null, "", `#${to}`);
    route.set(to);
  }
  return (
    <section aria-labelledby="entries-title">
      <h1 id="entries-title">{t("myEntries")}</h1>
      {justConfirmed && (
        <p role="status" class="ok" data-testid="confirmed">
          {t("receiptConfirmed", { title: justConfirmed })} <a href="#/entries?tab=past">{t("tabPastLink")}</a>
        </p>
      )}
      {mileage && (
        <p>
          {t("mileage")}: <Money amount={mileage.balance} currency={mileage.currency} />
        </p>
      )}
      <ErrorText error={error} />
      <Tabs
        label={t("myEntries")}
        current={tab}
        onChange={choose}
        tabs={[
          { id: "current", label: t("tabCurrent", { n: current.length }) },
          { id: "past", label: t("tabPast", { n: past.length }) },
        ]}
      >
        {list && shown.length === 0 && <p>{t(tab === "past" ? "nothingPast" : "nothingCurrent")}</p>}
        <ul class="cards">
          {shown.map((h) => (
            <EntryCard key={h.listingId} h={h} reload={reload} place={places?.get(h.listingId) ?? null} />
          ))}
        </ul>
      </Tabs>
    </section>
  );
}
