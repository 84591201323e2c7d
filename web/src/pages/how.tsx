// How it works, for a first visit: the ticket price (P1), the rest the drawn buyer pays (P2), the
// draw and the chance of being drawn first, entering for free where it is offered, the deadlines
// and refunds, with the figures of the policy in force.
import { api, unwrap } from "../api/client";
import { percent, span, t, tx } from "../i18n";
import { Money, useLoad } from "../ui";

export function HowPage() {
  const [policy] = useLoad(async () => unwrap(await api.GET("/policy", {})), []);
  const d = policy?.deadlines;
  const dl = (k: "second_payment" | "ship" | "delivery" | "confirm" | "resolution") => (d ? span(d[k].default) : "");
  const krw = policy?.by_currency?.KRW;
  const deposit = krw?.deposit ?? policy?.deposit;
  return (
    <article aria-labelledby="how-title" class="how">
      <h1 id="how-title">{t("howItWorks")}</h1>
      <p class="lead">{t("howLead")}</p>

      <section aria-labelledby="how-p1">
        <h2 id="how-p1">{t("howP1Title")}</h2>
        <p>{t("howP1")}</p>
        <p class="example">
          {tx("howP1Example", {
            price: <Money amount={100_000} currency="KRW" />,
            p1: <Money amount={1_000} currency="KRW" />,
          })}
        </p>
        {/* the policy's figures only once they are known: never a "—" or a 0% in their place */}
        {policy && <p>{t("howLimit", { n: policy.ticket_limit_default, max: policy.ticket_limit_max, hold: span(policy.payment_hold_seconds) })}</p>}
      </section>

      <section aria-labelledby="how-p2">
        <h2 id="how-p2">{t("howP2Title")}</h2>
        <p>{t("howP2")}</p>
        <p class="example">
          {tx("howP2Example", {
            sold: 80,
            p1s: <Money amount={80_000} currency="KRW" />,
            p2: <Money amount={20_000} currency="KRW" />,
          })}
        </p>
        <p>{t("howWorstCase")}</p>
      </section>

      <section aria-labelledby="how-draw">
        <h2 id="how-draw">{t("howDrawTitle")}</h2>
        <p>{t("howDraw")}</p>
        <ol>
          <li>{t("howDrawCommit")}</li>
          <li>{t("howDrawDigest")}</li>
          <li>{t("howDrawBeacon")}</li>
          <li>{t("howDrawRoot")}</li>
          <li>{t("howDrawSeed")}</li>
        </ol>
        <p>{t("howDrawVerify")}</p>
        <p data-testid="how-odds">{t("howOdds")}</p>
      </section>

      {policy && policy.play.free_entry_cap > 0 && (
        <section aria-labelledby="how-free">
          <h2 id="how-free">{t("howFreeTitle")}</h2>
          <p data-testid="how-free">{t("howFree", { n: policy.play.free_entry_cap })}</p>
        </section>
      )}

      <section aria-labelledby="how-deadlines">
        <h2 id="how-deadlines">{t("howDeadlinesTitle")}</h2>
        {d && (
        <ul data-testid="how-deadlines">
          <li>{t("howDeadlineP2", { d: dl("second_payment") })}</li>
          <li>{t("howDeadlineShip", { d: dl("ship") })}</li>
          <li>{t("howDeadlineConfirm", { d: dl("confirm") })}</li>
          <li>{t("howDeadlineResolve", { d: dl("resolution") })}</li>
        </ul>
        )}
        <p>{t("howDeadlinesEach")}</p>
      </section>

      <section aria-labelledby="how-refunds">
        <h2 id="how-refunds">{t("howRefundsTitle")}</h2>
        <ul>
          <li>{t("refundRule")}</li>
          <li>{t("refundRuleForfeit")}</li>
          <li>{t("howRefundUnsold")}</li>
          <li>{t("howRefundCancelled")}</li>
          <li>{t("howRefundWay")}</li>
          {policy && policy.mileage_bps > 0 && <li>{t("howMileage", { pct: percent(policy.mileage_bps) })}</li>}
        </ul>
      </section>

      <section aria-labelledby="how-sellers">
        <h2 id="how-sellers">{t("howSellersTitle")}</h2>
        {deposit && (
          <p data-testid="how-deposit">
            {deposit.fixed != null
              ? tx("howSellerDepositFixed", { deposit: <Money amount={deposit.fixed} currency="KRW" /> })
              : t("howSellerDepositRate", { pct: percent(deposit.rate_bps ?? 0) })}
          </p>
        )}
        <p>{t("howSellerPaid")}</p>
        <p data-testid="how-seller-unsold">{t("howSellerUnsold")}</p>
      </section>

      <p>
        <a href="#/">{t("browse")}</a>
      </p>
    </article>
  );
}
