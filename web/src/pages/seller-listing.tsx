import { useState } from "preact/hooks";

import { api, ApiProblem, everyPage, unwrap, type Listing, type Schemas } from "../api/client";
import { CARRIERS, checkedCarrier, trackingProblem, trackingToSend } from "../carriers";
import { categoryText, money, span, statusText, t, tx, when } from "../i18n";
import type { Key } from "../i18n/ko";
import { PhotoUpload } from "../photo-upload";
import { displayPhone } from "../phones";
import { DisputeCase } from "../dispute";
import { OrderTimeline } from "../timeline";
import { ErrorText, Field, Money, useLoad, useProblem } from "../ui";
import { Shipment } from "./entries";
import { PayDeposit } from "./sell";

type Entrant = Schemas["EntrantView"];

/** Who has entered, live: the first page refreshes every few seconds; "more" appends pages. */
function Entrants({ id }: { id: string }) {
  const path = { path: { listing_id: id } };
  const [first, error] = useLoad(async () => unwrap(await api.GET("/listings/{listing_id}/entrants", { params: path })), [id], 5);
  const [more, setMore] = useState<{ rows: Entrant[]; cursor: string | null }>({ rows: [], cursor: null });
  const [moreError, setMoreError] = useState<unknown>(null);
  const cursor = more.rows.length ? more.cursor : first?.next_cursor;
  async function loadMore() {
    try {
      const page = unwrap(await api.GET("/listings/{listing_id}/entrants", { params: { ...path, query: { cursor: cursor ?? undefined } } }));
      setMore({ rows: [...more.rows, ...page.entrants], cursor: page.next_cursor ?? null });
    } catch (e) {
      setMoreError(e);
    }
  }
  const rows = [...(first?.entrants ?? []), ...more.rows];
  return (
    <div class="panel">
      <h2 id="entrants-title">{t("entrants")}</h2>
      <ErrorText error={error ?? moreError} />
      {first && rows.length === 0 && <p>{t("nothing")}</p>}
      {rows.length > 0 && (
        <div class="scroll">
        <table class="stack" aria-labelledby="entrants-title" data-testid="entrants">
          <thead>
            <tr>
              <th scope="col">{t("entrant")}</th>
              <th scope="col">{t("ticketsPaid")}</th>
              <th scope="col">{t("ticketsHeld")}</th>
              <th scope="col">{t("entered")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.buyer}>
                <th scope="row">
                  <span class="pseudonym">{e.buyer}</span>
                </th>
                <td data-label={t("ticketsPaid")}>{e.paid_tickets}</td>
                <td data-label={t("ticketsHeld")}>{e.held_tickets}</td>
                <td data-label={t("entered")}>
                  <span class="when">{when(e.entered_at)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      )}
      {cursor && (
        <button class="secondary" onClick={() => void loadMore()}>
          {t("more")}
        </button>
      )}
    </div>
  );
}

function StatementChart({ rows, currency }: { rows: [string, number][]; currency: string }) {
  const max = Math.max(1, ...rows.map(([, v]) => Math.abs(v)));
  return (
    <svg role="img" aria-label={t("statement")} viewBox={`0 0 300 ${rows.length * 22}`} class="chart">
      {rows.map(([name, v], i) => (
        <g key={name} transform={`translate(0 ${i * 22})`}>
          <rect x="190" y="3" height="14" width={(110 * Math.abs(v)) / max} class={v < 0 ? "out" : "in"} />
          <text x="0" y="14">
            {categoryText(name)}: {money(Math.abs(v), currency)}
          </text>
        </g>
      ))}
    </svg>
  );
}

type OutcomeReason = NonNullable<Schemas["StatementView"]["outcome_reason"]>;

// an ended listing's words by why it ended (the statement says; until it has loaded, the
// outcome's words without a reason)
const ENDED: Partial<Record<OutcomeReason, Key>> = {
  no_entries: "sellerNow_unsold_no_entries",
  order_exhausted: "sellerNow_unsold_order_exhausted",
  not_shipped: "sellerNow_cancelled_not_shipped",
  dispute_refunded: "sellerNow_cancelled_dispute_refunded",
  deposit_not_paid: "sellerNow_cancelled_unpublished",
};

/** What the seller should know or do now, in words. */
function SellerNow({ l, reason }: { l: Listing; reason?: OutcomeReason | null }) {
  const m = (n: number) => <Money amount={n} currency={l.currency} minor={l.currency_minor_units} />;
  const d = l.deadlines;
  const words = (() => {
    switch (l.status) {
      case "awaiting_deposit":
        return tx("sellerNow_awaiting_deposit", { deposit: m(l.deposit), due: l.deposit_due_at ? when(l.deposit_due_at) : "—" });
      case "open":
        return tx("sellerNow_open", { closes: when(l.closes_at), np: l.expected_entrants });
      case "closed":
      case "drawing":
        return t("sellerNow_drawing");
      case "awaiting_second_payment":
        return tx("sellerNow_awaiting_second_payment", { within: span(d.second_payment) });
      case "final_buyer":
        return tx("sellerNow_final_buyer", { within: span(d.ship) });
      case "shipped":
        return tx("sellerNow_shipped", { within: span(d.delivery) });
      case "delivered":
        return tx("sellerNow_delivered", { within: span(d.confirm) });
      case "disputed":
        return tx("sellerNow_disputed", { within: span(d.resolution) });
      case "confirmed":
        return t("sellerNow_confirmed");
      case "settled":
        return t("sellerNow_settled");
      case "unsold":
      case "cancelled": {
        const why = reason ? ENDED[reason] : undefined;
        return t(why ?? (l.status === "unsold" ? "sellerNow_unsold" : "sellerNow_cancelled"));
      }
      default:
        return statusText(l.status);
    }
  })();
  if (l.status === "open") {
    // just opened (the deposit came back here) or open a while: said plainly, with where buyers enter
    return (
      <div class="panel notice" data-testid="seller-now">
        <p>
          <strong>{t("sellerOpen")}</strong> {words}
        </p>
        <p>
          <a href={`#/listing/${encodeURIComponent(l.listing_id)}`} data-testid="public-page">
            {t("sellerOpenLink")}
          </a>
        </p>
      </div>
    );
  }
  return (
    <p class="panel notice" data-testid="seller-now">
      {words}
    </p>
  );
}

/** What the seller set: the price and P1, how many tickets (Np), how many one buyer may hold,
 * and when entries close. */
function SellerFacts({ l }: { l: Listing }) {
  const m = (n: number) => <Money amount={n} currency={l.currency} minor={l.currency_minor_units} />;
  const closing = l.status === "awaiting_deposit" || l.status === "open";
  return (
    <dl class="facts" data-testid="seller-facts">
      <dt>{t("price")}</dt>
      <dd>{m(l.price)}</dd>
      <dt>{t("firstPayment")}</dt>
      <dd>{m(l.first_payment)}</dd>
      <dt>{t("expectedEntrants")}</dt>
      <dd>
        <span class="count-of">{l.expected_entrants.toLocaleString()}</span>
      </dd>
      <dt>{t("ticketLimit")}</dt>
      <dd>
        <span class="count-of">{l.ticket_limit.toLocaleString()}</span>
      </dd>
      {l.status !== "cancelled" && (
        <>
          <dt>{t(closing ? "closesAt" : "closedAt")}</dt>
          <dd>
            <span class="when">{when(l.closes_at)}</span>
          </dd>
        </>
      )}
    </dl>
  );
}

/** A listing the public cannot see yet (awaiting its deposit) or never saw (cancelled before
 * its deposit): the seller finds it among their own listings. */
function Unpublished({ id }: { id: string }) {
  const [mine, error, reload] = useLoad(async () => {
    const pages = await everyPage(async (cursor) => unwrap(await api.GET("/me/listings", cursor ? { params: { query: { cursor } } } : {})));
    return { found: pages.flatMap((p) => p.listings).find((x) => x.listing_id === id) ?? null };
  }, [id]);
  if (!mine) return <ErrorText error={error} />;
  const found = mine.found;
  if (!found) {
    return (
      <p class="panel notice" data-testid="seller-now">
        {t("sellerNotFound")}
      </p>
    );
  }
  return (
    <section aria-labelledby="seller-title">
      <h1 id="seller-title">{found.title}</h1>
      <p>{statusText(found.status)}</p>
      <SellerFacts l={found} />
      {found.status === "cancelled" ? (
        <p class="panel notice" data-testid="seller-now">
          {t("sellerNow_cancelled_unpublished")}
        </p>
      ) : (
        <SellerNow l={found} />
      )}
      {found.status === "awaiting_deposit" && <PayDeposit id={found.listing_id} />}
      {found.status === "awaiting_deposit" && <PhotoUpload l={found} onAdded={reload} />}
    </section>
  );
}

export function SellerListingPage({ id }: { id: string }) {
  const path = { params: { path: { listing_id: id } } };
  const [l, error, reload] = useLoad(async () => unwrap(await api.GET("/listings/{listing_id}", path)), [id], 5);
  const [st] = useLoad(async () => (l ? unwrap(await api.GET("/listings/{listing_id}/statement", path)) : null), [id, l?.status]);
  const hasBuyer = l && ["awaiting_shipment", "in_transit", "closing_sale", "sold"].includes(l.phase);
  const [buyer] = useLoad(
    async () => (hasBuyer ? unwrap(await api.GET("/listings/{listing_id}/final-buyer", path)) : null),
    [id, hasBuyer],
  );
  const [carrier, setCarrier] = useState("");
  const [tracking, setTracking] = useState("");
  const [trackingDone, setTrackingDone] = useState(false); // typed and left, or sent: checked from then on
  const [shipError, setShipError, clearShip] = useProblem();
  // once shipped, what was sent (carrier, tracking number) from the order's timeline
  const shippedPhase = l && ["in_transit", "closing_sale", "sold"].includes(l.phase);
  const [correcting, setCorrecting] = useState(false);
  const [timeline, , reloadTimeline] = useLoad(
    async () => (shippedPhase ? unwrap(await api.GET("/listings/{listing_id}/timeline", path)) : null),
    [id, shippedPhase, l?.status],
  );
  const sent = timeline?.shipment ?? null;
  if (!l) {
    // not published: awaiting its deposit, or cancelled before it was paid
    if (error instanceof ApiProblem && error.code === "not_found") return <Unpublished id={id} />;
    return <ErrorText error={error} />;
  }
  // a known carrier's number: its digits, as many as its numbers have (said before sending, as the
  // server's refusal would say it)
  const known = checkedCarrier(carrier);
  const wrong = trackingProblem(carrier, tracking);
  const trackingLocal = trackingDone && wrong ? ApiProblem.local("invalid_input", "tracking_number", wrong, "tracking_number_invalid") : null;
  async function ship(e: Event) {
    e.preventDefault();
    setTrackingDone(true);
    if (wrong) {
      document.getElementById("tracking_number")?.focus();
      return;
    }
    setShipError(null);
    try {
      const body = { carrier, tracking_number: trackingToSend(carrier, tracking) };
      unwrap(await api.POST("/listings/{listing_id}/shipment", { ...path, body }));
      setCorrecting(false);
      reload();
      reloadTimeline();
    } catch (err) {
      setShipError(err);
    }
  }
  const rows: [string, number][] = st
    ? [...Object.entries(st.paid_in), ...Object.entries(st.paid_out).map(([k, v]) => [k, -v] as [string, number])]
    : [];
  const shipped = sent !== null && shippedPhase;
  return (
    <section aria-labelledby="seller-title">
      <h1 id="seller-title">{l.title}</h1>
      <p>
        {statusText(l.status)} · {t("ticketsPaid")}:{" "}
        <span class="count-of">
          {l.paid_tickets} / {l.expected_entrants}
        </span>
      </p>
      <SellerNow l={l} reason={st?.outcome_reason} />
      {/* (once settled or cancelled the page reads no timeline of its own: the case loads it) */}
      {(timeline?.dispute || ["disputed", "settled", "cancelled"].includes(l.status)) && <DisputeCase listingId={id} role="seller" />}
      <SellerFacts l={l} />
      <OrderTimeline listingId={id} seller refreshKey={`${l.status}|${sent?.carrier ?? ""}|${sent?.tracking_number ?? ""}`} open={!["unpublished", "sold", "not_sold"].includes(l.phase)} />
      <PhotoUpload l={l} onAdded={reload} />
      <Entrants id={id} />
      {(buyer || shipped) && (
        <div class="panel">
          <h2>{t("finalBuyer")}</h2>
          {buyer && (
            <p data-testid="final-buyer">
              {buyer.name} · <span class="ticket">{displayPhone(buyer.phone)}</span> · {buyer.address}
            </p>
          )}
          {shipped && sent && (
            <p data-testid="seller-shipment">
              {t("shipment")}: {sent.carrier} <Shipment carrier={sent.carrier} tracking={sent.tracking_number} />
              {sent.corrected_at && <span class="muted"> ({t("shipmentCorrected")})</span>}
              {sent.correctable && !correcting && (
                <>
                  {" "}
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => {
                      setCarrier(sent.carrier);
                      setTracking(sent.tracking_number);
                      setCorrecting(true);
                    }}
                  >
                    {t("correctShipment")}
                  </button>
                </>
              )}
            </p>
          )}
          {correcting && <p class="muted">{t("correctShipmentWhat")}</p>}
          {(l.status === "final_buyer" || (correcting && sent?.correctable)) && (
            <form onSubmit={ship}>
              <Field label={t("carrier")} id="carrier" error={shipError} onClear={clearShip}>
                <input id="carrier" list="carriers" value={carrier} required maxLength={100} onInput={(e) => setCarrier((e.target as HTMLInputElement).value)} />
                <datalist id="carriers">
                  {CARRIERS.map((c) => (
                    <option key={c.name} value={c.name} />
                  ))}
                </datalist>
              </Field>
              <Field label={t("tracking")} id="tracking_number" error={trackingLocal ?? shipError} onClear={clearShip}>
                <input
                  id="tracking_number"
                  value={tracking}
                  required
                  maxLength={100}
                  inputMode={known ? "numeric" : undefined}
                  aria-describedby={known ? "tracking-hint" : undefined}
                  onInput={(e) => setTracking((e.target as HTMLInputElement).value)}
                  onBlur={() => setTrackingDone(tracking.trim() !== "")}
                />
                {known && (
                  <small id="tracking-hint">
                    {t("trackingHint", { carrier: known.name, lengths: known.lengths.join(` ${t("orWord")} `) })}
                  </small>
                )}
              </Field>
              <ErrorText error={shipError} />
              <button type="submit">{t(correcting ? "correctShipmentSave" : "ship")}</button>
              {correcting && (
                <>
                  {" "}
                  <button type="button" class="secondary" onClick={() => setCorrecting(false)}>
                    {t("cancel")}
                  </button>
                </>
              )}
            </form>
          )}
        </div>
      )}
      {st && (
        <div class="panel">
          <h2>{t("statement")}</h2>
          <table>
            <caption class="sr-only">{t("statement")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("statementWhat")}</th>
                <th scope="col">{t("moneyIn")}</th>
                <th scope="col">{t("moneyOut")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{categoryText(k)}</th>
                  <td>{v > 0 ? <Money amount={v} currency={st.currency} /> : ""}</td>
                  <td>{v < 0 ? <Money amount={-v} currency={st.currency} /> : ""}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("heldInEscrow")}</th>
                <td colSpan={2} data-testid="escrow">
                  <Money amount={st.held_in_escrow} currency={st.currency} />
                </td>
              </tr>
              <tr>
                <th scope="row">{t("balanced")}</th>
                <td colSpan={2} data-testid="balanced">{st.balanced ? "✓" : "✗"}</td>
              </tr>
            </tfoot>
          </table>
          <StatementChart rows={rows} currency={st.currency} />
          {st.payout && (
            <p data-testid="payout">
              {t("payout")}: <Money amount={st.payout.amount} currency={st.payout.currency} /> ·{" "}
              {st.payout.status === "paid" && st.payout.paid_at
                ? t("payoutPaidOn", { at: when(st.payout.paid_at) })
                : t("payoutIssuedOn", { at: when(st.payout.issued_at) })}
              {st.payout.account ? (
                <> · {t("payoutToBank", { account: st.payout.account })}</>
              ) : (
                st.payout.account_ending && <> · {t("payoutToAccount", { ending: st.payout.account_ending })}</>
              )}
              {st.payout.reference && (
                <>
                  {" "}
                  · {t("payoutReference")} <span class="nowrap">{st.payout.reference}</span>
                </>
              )}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
