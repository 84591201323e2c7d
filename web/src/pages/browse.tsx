import { useState } from "preact/hooks";

import { api, unwrap, type Listing } from "../api/client";
import { duration, t } from "../i18n";
import { ErrorText, Money, useLoad } from "../ui";

/** A listing's figures (the free entries in the draw beside the tickets sold); the time left and the P2 "if drawn now" only while it is open. */
export function ListingFacts({ l, card = false }: { l: Listing; card?: boolean }) {
  const m = (n: number) => <Money amount={n} currency={l.currency} minor={l.currency_minor_units} />;
  const open = l.status === "open";
  return (
    <dl class="facts">
      <dt>{t("price")}</dt>
      <dd>{m(l.price)}</dd>
      <dt>{t("firstPayment")}</dt>
      <dd>{m(l.first_payment)}</dd>
      <dt>{t("ticketsPaid")}</dt>
      <dd>
        <progress max={l.expected_entrants} value={Math.min(l.paid_tickets, l.expected_entrants)} aria-hidden="true" />{" "}
        <span class="count-of">
          {l.paid_tickets} / {l.expected_entrants}
        </span>
      </dd>
      {(l.free_tickets ?? 0) > 0 && (
        <>
          <dt>{t("freeTickets")}</dt>
          <dd data-testid="free-tickets">{l.free_tickets}</dd>
        </>
      )}
      {open && (
        <>
          <dt>{t("timeLeft")}</dt>
          <dd>
            <span class="nowrap">{duration(l.seconds_left)}</span>
          </dd>
          {/* not on a card: next to P1 it read as one more price to add */}
          {!card && (
            <>
              <dt>{t("ifDrawnNow")}</dt>
              <dd>{m(l.second_payment_if_drawn_now)}</dd>
            </>
          )}
        </>
      )}
      {!open && (
        <>
          <dt>{t("status")}</dt>
          <dd data-testid="listing-phase">{t(`phase_${l.phase}`)}</dd>
        </>
      )}
    </dl>
  );
}

const SEEN_HOW = "tombola.seenHow";

/** For a first visit: what this is, and where the rules are explained. */
function Welcome() {
  const [shown, setShown] = useState(() => localStorage.getItem(SEEN_HOW) === null);
  if (!shown) return null;
  const dismiss = () => {
    localStorage.setItem(SEEN_HOW, "1");
    setShown(false);
  };
  return (
    <aside class="panel notice" aria-labelledby="welcome-title" data-testid="welcome">
      <h2 id="welcome-title">{t("welcomeTitle")}</h2>
      <p>{t("welcomeText")}</p>
      <p>
        <a href="#/how" onClick={dismiss}>
          {t("howItWorks")}
        </a>{" "}
        ·{" "}
        <button type="button" class="link" onClick={dismiss}>
          {t("dismiss")}
        </button>
      </p>
    </aside>
  );
}

export function Browse() {
  const [page, error] = useLoad(async () => unwrap(await api.GET("/listings", {})), [], 5);
  // A page may be short (it reads a bounded number of ticket counters): "more" appends the next.
  const [more, setMore] = useState<{ rows: Listing[]; cursor: string | null }>({ rows: [], cursor: null });
  const [moreError, setMoreError] = useState<unknown>(null);
  const cursor = more.rows.length ? more.cursor : page?.next_cursor;
  async function loadMore() {
    try {
      const next = unwrap(await api.GET("/listings", { params: { query: { cursor: cursor ?? undefined } } }));
      setMore({ rows: [...more.rows, ...next.listings], cursor: next.next_cursor ?? null });
    } catch (e) {
      setMoreError(e);
    }
  }
  const shown = page ? [...page.listings, ...more.rows.filter((m) => !page.listings.some((l) => l.listing_id === m.listing_id))] : [];
  return (
    <section aria-labelledby="browse-title">
      <h1 id="browse-title">{t("browse")}</h1>
      <Welcome />
      <ErrorText error={error ?? moreError} />
      {page && shown.length === 0 && <p>{t("noListings")}</p>}
      <ul class="cards">
        {shown.map((l) => (
          <li class="card" key={l.listing_id}>
            {l.photos.length > 0 && (
              // the first photo, in a fixed box (nothing moves as it loads); the title names the card
              <img class="card-photo" src={l.photos[0]} alt="" loading="lazy" width={400} height={300} data-testid="card-photo" />
            )}
            <h2>
              <a href={`#/listing/${encodeURIComponent(l.listing_id)}`}>{l.title}</a>
            </h2>
            <ListingFacts l={l} card />
          </li>
        ))}
      </ul>
      {cursor && (
        <button class="secondary" onClick={() => void loadMore()}>
          {t("more")}
        </button>
      )}
    </section>
  );
}
