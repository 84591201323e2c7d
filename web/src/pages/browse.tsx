import { api, unwrap, type Listing } from "../api/client";
import { duration, money, t } from "../i18n";
import { ErrorText, useLoad } from "../ui";

export function ListingFacts({ l }: { l: Listing }) {
  const m = (n: number) => money(n, l.currency, l.currency_minor_units);
  return (
    <dl class="facts">
      <dt>{t("price")}</dt>
      <dd>{m(l.price)}</dd>
      <dt>{t("firstPayment")}</dt>
      <dd>{m(l.first_payment)}</dd>
      <dt>{t("ticketsPaid")}</dt>
      <dd>
        <progress max={l.expected_entrants} value={Math.min(l.paid_tickets, l.expected_entrants)} aria-hidden="true" />{" "}
        {l.paid_tickets} / {l.expected_entrants}
      </dd>
      <dt>{t("timeLeft")}</dt>
      <dd>{duration(l.seconds_left)}</dd>
      <dt>{t("ifDrawnNow")}</dt>
      <dd>{m(l.second_payment_if_drawn_now)}</dd>
    </dl>
  );
}

export function Browse() {
  const [page, error] = useLoad(async () => unwrap(await api.GET("/listings", {})), [], 5);
  return (
    <section aria-labelledby="browse-title">
      <h1 id="browse-title">{t("browse")}</h1>
      <ErrorText error={error} />
      {page && page.listings.length === 0 && <p>{t("noListings")}</p>}
      <ul class="cards">
        {page?.listings.map((l) => (
          <li class="card" key={l.listing_id}>
            <h2>
              <a href={`#/listing/${encodeURIComponent(l.listing_id)}`}>{l.title}</a>
            </h2>
            <ListingFacts l={l} />
          </li>
        ))}
      </ul>
    </section>
  );
}
