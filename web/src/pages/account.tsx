import { useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { ApiProblem } from "../api/problem";
import { accountNumberProblem, bankLabel, BANKS } from "../banks";
import { config } from "../config";
import { session, type Group } from "../api/session";
import { lang, t } from "../i18n";
import { go } from "../router";
import { w } from "../i18n/words";
import { displayPhone } from "../phones";
import { ErrorText, Field, useLoad, useProblem } from "../ui";

/** Local stand-in for Cognito's hosted sign-in: pick or create a user with a group. */
export function SignInPage() {
  if (config().auth === "cognito") {
    return (
      <section class="panel" aria-labelledby="signin-title">
        <h1 id="signin-title">{t("signIn")}</h1>
        <button onClick={() => void session.signInHosted()}>{t("signIn")}</button>
      </section>
    );
  }
  return <LocalSignIn />;
}

/** Where each role starts. */
const HOME: Record<Group, string> = { buyer: "/entries", seller: "/sell", operator: "/operator" };

/** Where signing in lands: the operator's page for the operator; the role's own page for someone whose profile is complete (a
 * seller's names the payout account a listing needs, with its bank: one kept as free text
 * before accounts had banks is asked for again), else the profile to fill in first. */
export async function landing(group: Group): Promise<string> {
  if (group === "operator") return HOME.operator; // nothing of theirs is shipped or paid out
  try {
    const r = await api.GET("/me/profile", {});
    const complete = r.response.ok && r.data !== undefined && (group !== "seller" || !!r.data.payout_account?.bank);
    return complete ? HOME[group] : "/profile";
  } catch {
    return "/profile"; // the profile page says what went wrong
  }
}

function LocalSignIn() {
  const [user, setUser] = useState("");
  const [group, setGroup] = useState<Group>("buyer");
  const [error, setError, clear] = useProblem();
  async function submit(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      await session.signIn(user.trim(), group);
      go(await landing(group));
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signIn")}</h1>
      {/* any script (김민지 too): the stand-in says what it cannot take (dev/tombola_dev/auth.py) */}
      <Field label={t("user")} id="user" error={error} onClear={clear}>
        <input id="user" value={user} required maxLength={64} autoComplete="username" onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
      </Field>
      <Field label={t("group")} id="group">
        <select id="group" value={group} onChange={(e) => setGroup((e.target as HTMLSelectElement).value as Group)}>
          <option value="buyer">{t("buyer")}</option>
          <option value="seller">{t("seller")}</option>
          <option value="operator">{t("operator")}</option>
        </select>
      </Field>
      <ErrorText error={error} />
      <button type="submit">{t("signIn")}</button>
    </form>
  );
}

/** The banks as a select's options: a payout account's by the bank's code, a refund account's
 * by PortOne's (banks.ts, the server's list). */
function BankOptions({ value }: { value: "code" | "portone" }) {
  return (
    <>
      <option value="">—</option>
      {BANKS.map((b) => (
        <option key={b.code} value={b[value]}>
          {bankLabel(b, lang.get())}
        </option>
      ))}
    </>
  );
}

export function ProfilePage() {
  const [loaded, loadError] = useLoad(async () => {
    const r = await api.GET("/me/profile", {});
    return { profile: r.response.status === 404 ? null : unwrap(r) };
  }, []);
  const existing = loaded?.profile;
  // an account kept as free text before accounts had banks: shown by its digits, asked for again
  const oldAccount = existing?.payout_account && !existing.payout_account.bank ? existing.payout_account : null;
  const [form, setForm] = useState<Record<string, string> | null>(null);
  const [error, setError, clear] = useProblem();
  const [saved, setSaved] = useState(false);
  const [texts, setTexts] = useState<boolean | null>(null);
  const values = form ?? {
    name: existing?.name ?? "",
    email: existing?.email ?? "",
    phone: existing ? displayPhone(existing.phone) : "",
    address: existing?.address ?? "",
    payout_bank: (!oldAccount && existing?.payout_account?.bank) || "",
    payout_number: oldAccount ? "" : (existing?.payout_account?.number ?? ""),
    payout_holder: existing?.payout_account?.holder_name ?? "",
    refund_bank: existing?.refund_account?.bank ?? "",
    refund_number: existing?.refund_account?.number ?? "",
    refund_holder: existing?.refund_account?.holder_name ?? "",
  };
  const seller = session.current()?.group === "seller";
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    const { payout_bank, payout_number, payout_holder, refund_bank, refund_number, refund_holder, ...rest } = values;
    const payout = payout_bank || payout_number.trim() || payout_holder.trim();
    const wrongNumber = payout ? accountNumberProblem(payout_number) : null;
    if (wrongNumber) {
      // said before asking, as the server would say it
      setError(ApiProblem.local("invalid_input", "payout_account.number", wrongNumber, "account_number_invalid"));
      document.getElementById("payout_number")?.focus();
      return;
    }
    try {
      const refund = refund_bank || refund_number || refund_holder;
      const kept = unwrap(
        await api.PUT("/me/profile", {
          body: {
            name: rest.name,
            email: rest.email,
            phone: rest.phone,
            address: rest.address,
            // left empty, an old free-text account is not named, so the server keeps it
            ...(payout
              ? { payout_account: { bank: payout_bank, number: payout_number, holder_name: payout_holder } }
              : oldAccount
                ? {}
                : { payout_account: null }),
            refund_account: refund ? { bank: refund_bank, number: refund_number, holder_name: refund_holder } : null,
          },
        }),
      );
      setSaved(true);
      setTexts(kept.texts_reach_phone);
      // as kept: the phone written the local way, the account number as its digits
      setForm({ ...values, phone: displayPhone(kept.phone), payout_number: kept.payout_account?.bank ? kept.payout_account.number : values.payout_number });
    } catch (err) {
      setSaved(false);
      setError(err);
    }
  }
  const input = (name: string, label: string, type = "text") => (
    <Field label={label} id={name} error={error} onClear={clear}>
      <input
        id={name}
        type={type}
        value={values[name]}
        onInput={(e) => setForm({ ...values, [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  // the form waits for the saved profile: typing before it arrived would blank the rest
  if (!loaded) return <ErrorText error={loadError} />;
  return (
    <form class="panel" onSubmit={save} aria-labelledby="profile-title">
      <h1 id="profile-title">{t("profile")}</h1>
      <p class="muted">{t(seller ? "profileWhySeller" : "profileWhy")}</p>
      {session.current()?.group !== "operator" && (
        <p data-testid="play-on-profile">
          <a href="#/play">{t("playTitle")}</a>: {t("playOnProfile")}
        </p>
      )}
      {session.current()?.group !== "operator" && (
        <p data-testid="complaints-on-profile">
          <a href="#/complaints">{t("complaints")}</a>: {t("complaintsOnProfile")}
        </p>
      )}
      {input("name", t("name"))}
      {input("email", t("email"), "email")}
      {input("phone", t("phone"), "tel")}
      {(texts ?? existing?.texts_reach_phone) === false && (
        <p class="muted" data-testid="no-texts">
          {w("noTexts")}
        </p>
      )}
      {input("address", t("address"))}
      {seller && (
        <fieldset data-testid="payout-account">
          <legend>{t("payoutAccount")}</legend>
          <p class="muted">{t("payoutAccountWhy")}</p>
          {oldAccount && (
            <p class="muted" data-testid="payout-account-old">
              {t("payoutAccountOld", { masked: oldAccount.masked })}
            </p>
          )}
          <Field label={t("payoutBank")} id="payout_bank" field="payout_account.bank" error={error} onClear={clear}>
            <select id="payout_bank" value={values.payout_bank} onChange={(e) => setForm({ ...values, payout_bank: (e.target as HTMLSelectElement).value })}>
              <BankOptions value="code" />
            </select>
          </Field>
          <Field label={t("payoutNumber")} id="payout_number" field="payout_account.number" error={error} onClear={clear}>
            <input id="payout_number" inputMode="numeric" autoComplete="off" value={values.payout_number} onInput={(e) => setForm({ ...values, payout_number: (e.target as HTMLInputElement).value })} />
          </Field>
          <Field label={t("payoutHolder")} id="payout_holder" field="payout_account.holder_name" error={error} onClear={clear}>
            <input id="payout_holder" value={values.payout_holder} onInput={(e) => setForm({ ...values, payout_holder: (e.target as HTMLInputElement).value })} />
          </Field>
        </fieldset>
      )}
      <fieldset>
        <legend>{t("refundAccount")}</legend>
        <p class="muted">{t("refundAccountWhy")}</p>
        <Field label={t("refundBank")} id="refund_bank" field="refund_account.bank" error={error} onClear={clear}>
          <select id="refund_bank" value={values.refund_bank} onChange={(e) => setForm({ ...values, refund_bank: (e.target as HTMLSelectElement).value })}>
            <BankOptions value="portone" />
          </select>
        </Field>
        <Field label={t("refundNumber")} id="refund_number" field="refund_account.number" error={error} onClear={clear}>
          <input id="refund_number" inputMode="numeric" value={values.refund_number} onInput={(e) => setForm({ ...values, refund_number: (e.target as HTMLInputElement).value })} />
        </Field>
        <Field label={t("refundHolder")} id="refund_holder" field="refund_account.holder_name" error={error} onClear={clear}>
          <input id="refund_holder" value={values.refund_holder} onInput={(e) => setForm({ ...values, refund_holder: (e.target as HTMLInputElement).value })} />
        </Field>
      </fieldset>
      <ErrorText error={error} />
      <button type="submit">{t("saveProfile")}</button>
      {saved && <p role="status">{t("saved")}</p>}
    </form>
  );
}
