import { useState } from "preact/hooks";

import { api, everyPage, unwrap, type Listing, type Schemas } from "../api/client";
import { categoryText, money, span, statusText, t, unitText, when } from "../i18n";
import { DEADLINES, depositFor, firstPayment, inUnits, seconds, UNITS, type Deadline, type Policy, type Unit } from "../pricing";
import { ErrorText, Field, useLoad } from "../ui";

type Duration = { n: number; unit: Unit };

/** A length of time as a number and a unit; ``hint`` says what is allowed. */
function DurationField({ id, label, field, value, onChange, error, hint, units = UNITS.map(([u]) => u) }: {
  id: string;
  label: string;
  field: string;
  value: Duration;
  onChange: (v: Duration) => void;
  error: unknown;
  hint: string;
  units?: Unit[];
}) {
  return (
    <Field label={label} id={id} field={field} error={error}>
      <div class="duration">
        <input
          id={id}
          type="number"
          min={1}
          value={value.n}
          aria-describedby={`${id}-hint`}
          onInput={(e) => onChange({ ...value, n: Number((e.target as HTMLInputElement).value) })}
        />
        <select aria-label={`${label}: ${t("unit")}`} value={value.unit} onChange={(e) => onChange({ ...value, unit: (e.target as HTMLSelectElement).value as Unit })}>
          {units.map((u) => (
            <option key={u} value={u}>
              {unitText(u)}
            </option>
          ))}
        </select>
      </div>
      <small id={`${id}-hint`}>{hint}</small>
    </Field>
  );
}

function CreateListing({ policy, onCreated }: { policy: Policy; onCreated: () => void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [price, setPrice] = useState(100_000);
  const [np, setNp] = useState(100);
  const [limit, setLimit] = useState(policy.ticket_limit_default);
  const [closesIn, setClosesIn] = useState<Duration>({ n: 1, unit: "day" });
  const [surplus, setSurplus] = useState(policy.surplus_policy_default);
  const [deadlines, setDeadlines] = useState(() =>
    Object.fromEntries(DEADLINES.map((d) => [d, inUnits(policy.deadlines[d].default)])) as Record<Deadline, Duration>,
  );
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(() => crypto.randomUUID()); // a retry finds its listing
  const whole = (n: number) => BigInt(Number.isSafeInteger(n) && n > 0 ? n : 0);
  const p1 = Number(firstPayment(whole(price), whole(np)));
  const deposit = Number(depositFor(policy.deposit, whole(price)));
  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const out = unwrap(
        await api.POST("/listings", {
          body: {
            title,
            description,
            price,
            currency: "KRW",
            expected_entrants: np,
            ticket_limit: limit,
            surplus_policy: surplus,
            closes_at: new Date(Date.now() + seconds(closesIn.n, closesIn.unit) * 1000).toISOString(),
            deadlines: Object.fromEntries(DEADLINES.map((d) => [d, seconds(deadlines[d].n, deadlines[d].unit)])),
          },
          headers: { "Idempotency-Key": attempt },
        }),
      );
      setAttempt(crypto.randomUUID());
      if (out.deposit.checkout) window.location.href = out.deposit.checkout.url;
      else onCreated();
    } catch (err) {
      setError(err);
    }
  }
  const num = (f: (n: number) => void) => (e: Event) => f(Number((e.target as HTMLInputElement).value));
  return (
    <form class="panel" onSubmit={create} aria-labelledby="create-title">
      <h2 id="create-title">{t("newListing")}</h2>
      <Field label={t("title")} id="title" error={error}>
        <input id="title" value={title} required maxLength={500} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label={t("description")} id="description" error={error}>
        <textarea id="description" value={description} maxLength={5000} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
      </Field>
      <Field label={`${t("price")} (KRW)`} id="price" error={error}>
        <input id="price" type="number" min={1} value={price} onInput={num(setPrice)} />
      </Field>
      <Field label={t("expectedEntrants")} id="expected_entrants" error={error}>
        <input id="expected_entrants" type="number" min={2} max={policy.expected_entrants_max} value={np} onInput={num(setNp)} />
      </Field>
      <Field label={t("ticketLimit")} id="ticket_limit" error={error}>
        <input id="ticket_limit" type="number" min={1} max={policy.ticket_limit_max} value={limit} onInput={num(setLimit)} />
      </Field>
<DurationField
        id="closes_at"
        field="closes_at"
        label={t("closesIn")}
        value={closesIn}
        onChange={setClosesIn}
        error={error}
        hint={t("atMost", { max: span(policy.max_open_days * 86_400) })}
        units={["minute", "hour", "day"]}
      />
      <Field label={t("surplusPolicy")} id="surplus_policy" error={error}>
        <select id="surplus_policy" value={surplus} onChange={(e) => setSurplus((e.target as HTMLSelectElement).value as typeof surplus)}>
          <option value="operator">{t("surplus_operator")}</option>
          <option value="mileage">{t("surplus_mileage")}</option>
        </select>
      </Field>
      <fieldset>
        <legend>{t("deadlines")}</legend>
        {DEADLINES.map((d) => (
          <DurationField
            key={d}
            id={`deadline-${d}`}
            field={d}
            label={t(`deadline_${d}`)}
            value={deadlines[d]}
            onChange={(v) => setDeadlines({ ...deadlines, [d]: v })}
            error={error}
            hint={t("allowedRange", { min: span(policy.deadlines[d].min), max: span(policy.deadlines[d].max) })}
          />
        ))}
      </fieldset>
      <p role="status" data-testid="preview">
        {t("preview", { p1: money(p1, "KRW"), np })} · {t("deposit")} <span data-testid="deposit-preview">{money(deposit, "KRW")}</span>
        {policy.fee > 0 && ` · ${t("fee")} ${money(policy.fee, "KRW")}`}
      </p>
      <ErrorText error={error} />
      <button type="submit">{t("create")}</button>
    </form>
  );
}

function PayDeposit({ id }: { id: string }) {
  const [error, setError] = useState<unknown>(null);
  async function pay() {
    try {
      const d = unwrap(await api.POST("/listings/{listing_id}/deposit", { params: { path: { listing_id: id } } }));
      if (d.checkout) window.location.href = d.checkout.url;
    } catch (e) {
      setError(e);
    }
  }
  return (
    <>
      <button onClick={() => void pay()}>{t("payDeposit")}</button>
      <ErrorText error={error} />
    </>
  );
}

export function SellPage() {
  const [mine, error, reload] = useLoad(
    async () => {
      // every page, newest listing first
      const pages = await everyPage(async (cursor) =>
        unwrap(await api.GET("/me/listings", cursor ? { params: { query: { cursor } } } : {})),
      );
      return { listings: pages.flatMap((p) => p.listings) };
    },
    [],
    5,
  );
  const [policy, policyError] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
  return (
    <section aria-labelledby="sell-title">
      <h1 id="sell-title">{t("sell")}</h1>
      <ErrorText error={policyError} />
      {policy && <CreateListing policy={policy} onCreated={reload} />}
      <h2>{t("myListings")}</h2>
      <ErrorText error={error} />
      <ul class="cards">
        {mine?.listings.map((l: Listing) => (
          <li class="card" key={l.listing_id}>
            <h3>
              <a href={`#/sell/${encodeURIComponent(l.listing_id)}`}>{l.title}</a>
            </h3>
            <p>
              {statusText(l.status)} · {l.paid_tickets} / {l.expected_entrants}
            </p>
            {l.status === "awaiting_deposit" && <PayDeposit id={l.listing_id} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

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
  const hasBuyer = l && ["final_buyer", "shipped", "delivered", "disputed", "confirmed", "settled"].includes(l.status);
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
