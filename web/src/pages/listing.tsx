import { Fragment } from "preact";
import { useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { session } from "../api/session";
import { money, span, statusText, t, when } from "../i18n";
import { DEADLINES } from "../pricing";
import { go } from "../router";
import { ErrorText, Field, useLoad } from "../ui";
import { ListingFacts } from "./browse";

export function ListingPage({ id }: { id: string }) {
  const [l, loadError] = useLoad(
    async () => unwrap(await api.GET("/listings/{listing_id}", { params: { path: { listing_id: id } } })),
    [id],
    5,
  );
  const [tickets, setTickets] = useState(1);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // One key per attempt: a retried request (a lost answer, a double click) creates nothing twice.
  const [attempt, setAttempt] = useState(() => crypto.randomUUID());
  if (!l) return <ErrorText error={loadError} />;
  const m = (n: number) => money(n, l.currency, l.currency_minor_units);
  const now = l.first_payment * tickets;
  const worst = now + Math.max(0, l.price + l.fee - l.first_payment * (l.paid_tickets + tickets));
  const signedIn = session.current()?.group === "buyer";

  async function enter(method: "card" | "mileage") {
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
      if (out.checkout) window.location.href = out.checkout.url;
      else go("/entries");
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="listing-title">
      <h1 id="listing-title">{l.title}</h1>
      <p class="muted">
        {statusText(l.status)} · {t("closesAt")} {when(l.closes_at)}
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
      {l.status === "open" && signedIn && (
        <form
          class="panel"
          onSubmit={(e) => {
            e.preventDefault();
            void enter("card");
          }}
        >
          <Field label={t("tickets")} id="tickets" error={error}>
            <input
              id="tickets"
              type="number"
              min={1}
              max={l.ticket_limit}
              value={tickets}
              aria-describedby="tickets-limit"
              onInput={(e) => setTickets(Math.max(1, Number((e.target as HTMLInputElement).value) || 1))}
            />
            <small id="tickets-limit">{t("limit", { n: l.ticket_limit })}</small>
          </Field>
          <dl class="facts">
            <dt>{t("totalNow")}</dt>
            <dd data-testid="total-now">{m(now)}</dd>
            <dt>{t("worstCase")}</dt>
            <dd data-testid="worst-case">{m(worst)}</dd>
          </dl>
          <ErrorText error={error} />
          <button type="submit" disabled={busy}>
            {t("apply")}
          </button>{" "}
          <button type="button" class="secondary" disabled={busy} onClick={() => void enter("mileage")}>
            {t("payWithMileage")}
          </button>
        </form>
      )}
      {l.status === "open" && !signedIn && (
        <p>
          <a href="#/signin">{t("signIn")}</a>
        </p>
      )}
    </section>
  );
}
