import { useState } from "preact/hooks";

import { api, everyPage, unwrap, type Listing } from "../api/client";
import { money, span, statusText, t, unitText } from "../i18n";
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
