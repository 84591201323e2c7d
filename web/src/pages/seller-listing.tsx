import { useState } from "preact/hooks";

import { api, unwrap, type Schemas } from "../api/client";
import { categoryText, money, statusText, t, when } from "../i18n";
import { ErrorText, Field, useLoad } from "../ui";

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
        <table aria-labelledby="entrants-title" data-testid="entrants">
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
                <th scope="row" class="mono-text">{e.buyer}</th>
                <td>{e.paid_tickets}</td>
                <td>{e.held_tickets}</td>
                <td>{when(e.entered_at)}</td>
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

export function SellerListingPage({ id }: { id: string }) {
  const path = { params: { path: { listing_id: id } } };
  const [l, error, reload] = useLoad(async () => unwrap(await api.GET("/listings/{listing_id}", path)), [id], 5);
  const [st] = useLoad(async () => unwrap(await api.GET("/listings/{listing_id}/statement", path)), [id, l?.status]);
  const hasBuyer = l && ["awaiting_shipment", "in_transit", "closing_sale", "sold"].includes(l.phase);
  const [buyer] = useLoad(
    async () => (hasBuyer ? unwrap(await api.GET("/listings/{listing_id}/final-buyer", path)) : null),
    [id, hasBuyer],
  );
  const [carrier, setCarrier] = useState("");
  const [tracking, setTracking] = useState("");
  const [shipError, setShipError] = useState<unknown>(null);
  if (!l) return <ErrorText error={error} />;
  async function ship(e: Event) {
    e.preventDefault();
    setShipError(null);
    try {
      unwrap(await api.POST("/listings/{listing_id}/shipment", { ...path, body: { carrier, tracking_number: tracking } }));
      reload();
    } catch (err) {
      setShipError(err);
    }
  }
  const rows: [string, number][] = st
    ? [...Object.entries(st.paid_in), ...Object.entries(st.paid_out).map(([k, v]) => [k, -v] as [string, number])]
    : [];
  return (
    <section aria-labelledby="seller-title">
      <h1 id="seller-title">{l.title}</h1>
      <p>
        {statusText(l.status)} · {t("ticketsPaid")}: {l.paid_tickets} / {l.expected_entrants}
      </p>
      <Entrants id={id} />
      {buyer && (
        <div class="panel">
          <h2>{t("finalBuyer")}</h2>
          <p data-testid="final-buyer">
            {buyer.name} · {buyer.phone} · {buyer.address}
          </p>
          {l.status === "final_buyer" && (
            <form onSubmit={ship}>
              <Field label={t("carrier")} id="carrier" error={shipError}>
                <input id="carrier" value={carrier} required onInput={(e) => setCarrier((e.target as HTMLInputElement).value)} />
              </Field>
              <Field label={t("tracking")} id="tracking_number" error={shipError}>
                <input id="tracking_number" value={tracking} required onInput={(e) => setTracking((e.target as HTMLInputElement).value)} />
              </Field>
              <ErrorText error={shipError} />
              <button type="submit">{t("ship")}</button>
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
                <th scope="col">{t("statement")}</th>
                <th scope="col">{t("moneyIn")}</th>
                <th scope="col">{t("moneyOut")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{categoryText(k)}</th>
                  <td>{v > 0 ? money(v, st.currency) : ""}</td>
                  <td>{v < 0 ? money(-v, st.currency) : ""}</td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t("heldInEscrow")}</th>
                <td colSpan={2} data-testid="escrow">{money(st.held_in_escrow, st.currency)}</td>
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
              {t("payout")}: {money(st.payout.amount, st.payout.currency)} ·{" "}
              {st.payout.status === "paid" ? t("payoutPaid") : t("payoutIssued")}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
