// The sandbox provider's checkout page (local stack): what the payer pays, pay or fail.
import { useState } from "preact/hooks";

import { paySandbox } from "../api/client";
import { money, t, when } from "../i18n";
import { ErrorText, useLoad } from "../ui";

interface SandboxCheckout {
  reference: string;
  pays_for: "deposit" | "entry" | "p2" | "payout" | null;
  amount: number;
  currency: string;
  expires_at: string;
}

export function CheckoutPage({ id }: { id: string }) {
  const [c, error] = useLoad(async () => {
    const r = await fetch(`/sandbox/checkouts/${encodeURIComponent(id)}`);
    if (!r.ok) throw new Error(await r.text());
    return (await r.json()) as SandboxCheckout;
  }, [id]);
  const [done, setDone] = useState(false);
  const [payError, setPayError] = useState<unknown>(null);
  if (!c) return <ErrorText error={error} />;
  async function settle(outcome: "pay" | "fail") {
    try {
      await paySandbox(id, outcome);
      setDone(true);
      const back = c!.pays_for === "deposit" ? "#/sell" : "#/entries";
      setTimeout(() => (window.location.hash = back), 800);
    } catch (e) {
      setPayError(e);
    }
  }
  return (
    <section aria-labelledby="checkout-title" class="panel">
      <h1 id="checkout-title">{t("checkout")}</h1>
      <dl class="facts">
        <dt>{t("amount")}</dt>
        <dd data-testid="checkout-amount">{money(c.amount, c.currency)}</dd>
        <dt>{t("expiresAt")}</dt>
        <dd>{when(c.expires_at)}</dd>
      </dl>
      <ErrorText error={payError} />
      {done ? (
        <p role="status">{t("paid")}</p>
      ) : (
        <p>
          <button onClick={() => void settle("pay")}>{t("pay")}</button>{" "}
          <button class="secondary" onClick={() => void settle("fail")}>
            {t("payFails")}
          </button>
        </p>
      )}
    </section>
  );
}
