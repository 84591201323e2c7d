import { useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { config } from "../config";
import { session, type Group } from "../api/session";
import { t } from "../i18n";
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

/** Where signing in lands: the role's own page for someone whose profile is complete (a
 * seller's names the payout account a listing needs), else the profile to fill in first. */
export async function landing(group: Group): Promise<string> {
  try {
    const r = await api.GET("/me/profile", {});
    const complete = r.response.ok && r.data !== undefined && (group !== "seller" || !!r.data.payout_account);
    return complete ? HOME[group] : "/profile";
  } catch {
    return "/profile"; // the profile page says what went wrong
  }
}

function LocalSignIn() {
  const [user, setUser] = useState("");
  const [group, setGroup] = useState<Group>("buyer");
  const [error, setError] = useState<unknown>(null);
  async function submit(e: Event) {
    e.preventDefault();
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
      <Field label={t("user")} id="user">
        <input id="user" value={user} required pattern="[A-Za-z0-9._\-]+" onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
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

// PortOne's bank codes for the banks people in Korea most often hold
const BANKS: [string, string][] = [
  ["KOOKMIN", "KB국민은행"],
  ["SHINHAN", "신한은행"],
  ["WOORI", "우리은행"],
  ["HANA", "하나은행"],
  ["NONGHYUP", "NH농협은행"],
  ["IBK", "IBK기업은행"],
  ["KAKAO", "카카오뱅크"],
  ["TOSS", "토스뱅크"],
  ["K_BANK", "케이뱅크"],
  ["SUHYUP", "수협은행"],
  ["BUSAN", "부산은행"],
  ["DAEGU", "iM뱅크(대구)"],
  ["KWANGJU", "광주은행"],
  ["JEONBUK", "전북은행"],
  ["KYONGNAM", "경남은행"],
  ["JEJU", "제주은행"],
  ["POST", "우체국"],
  ["KFCC", "새마을금고"],
  ["SHINHYUP", "신협"],
  ["STANDARD_CHARTERED", "SC제일은행"],
  ["CITI", "씨티은행"],
];

export function ProfilePage() {
  const [loaded, loadError] = useLoad(async () => {
    const r = await api.GET("/me/profile", {});
    return { profile: r.response.status === 404 ? null : unwrap(r) };
  }, []);
  const existing = loaded?.profile;
  const [form, setForm] = useState<Record<string, string> | null>(null);
  const [error, setError, clear] = useProblem();
  const [saved, setSaved] = useState(false);
  const [texts, setTexts] = useState<boolean | null>(null);
  const values = form ?? {
    name: existing?.name ?? "",
    email: existing?.email ?? "",
    phone: existing ? displayPhone(existing.phone) : "",
    address: existing?.address ?? "",
    payout_account: existing?.payout_account ?? "",
    refund_bank: existing?.refund_account?.bank ?? "",
    refund_number: existing?.refund_account?.number ?? "",
    refund_holder: existing?.refund_account?.holder_name ?? "",
  };
  const seller = session.current()?.group === "seller";
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const { payout_account, refund_bank, refund_number, refund_holder, ...rest } = values;
      const refund = refund_bank || refund_number || refund_holder;
      const kept = unwrap(
        await api.PUT("/me/profile", {
          body: {
            name: rest.name,
            email: rest.email,
            phone: rest.phone,
            address: rest.address,
            payout_account: payout_account || null,
            refund_account: refund ? { bank: refund_bank, number: refund_number, holder_name: refund_holder } : null,
          },
        }),
      );
      setSaved(true);
      setTexts(kept.texts_reach_phone);
      setForm({ ...values, phone: displayPhone(kept.phone) }); // as kept, written the local way
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
      <p class="muted">{t("profileWhy")}</p>
      {input("name", t("name"))}
      {input("email", t("email"), "email")}
      {input("phone", t("phone"), "tel")}
      {(texts ?? existing?.texts_reach_phone) === false && (
        <p class="muted" data-testid="no-texts">
          {w("noTexts")}
        </p>
      )}
      {input("address", t("address"))}
      {seller && input("payout_account", t("payoutAccount"))}
      <fieldset>
        <legend>{t("refundAccount")}</legend>
        <p class="muted">{t("refundAccountWhy")}</p>
        <Field label={t("refundBank")} id="refund_bank" field="refund_account.bank" error={error} onClear={clear}>
          <select id="refund_bank" value={values.refund_bank} onChange={(e) => setForm({ ...values, refund_bank: (e.target as HTMLSelectElement).value })}>
            <option value="">—</option>
            {BANKS.map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
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
