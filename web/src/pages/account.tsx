import { useState } from "preact/hooks";

import { api, unwrap } from "../api/client";
import { config } from "../config";
import { session, type Group } from "../api/session";
import { t } from "../i18n";
import { go } from "../router";
import { ErrorText, Field, useLoad } from "../ui";

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

function LocalSignIn() {
  const [user, setUser] = useState("");
  const [group, setGroup] = useState<Group>("buyer");
  const [error, setError] = useState<unknown>(null);
  async function submit(e: Event) {
    e.preventDefault();
    try {
      await session.signIn(user.trim(), group);
      go("/profile");
    } catch (err) {
      setError(err);
    }
  }
  return (
    <form class="panel" onSubmit={submit} aria-labelledby="signin-title">
      <h1 id="signin-title">{t("signIn")}</h1>
      <Field label={t("user")} id="user">
        <input id="user" value={user} required pattern="[A-Za-z0-9._-]+" onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
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

export function ProfilePage() {
  const [existing] = useLoad(async () => {
    const r = await api.GET("/me/profile", {});
    return r.response.status === 404 ? null : unwrap(r);
  }, []);
  const [form, setForm] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const values = form ?? {
    name: existing?.name ?? "",
    email: existing?.email ?? "",
    phone: existing?.phone ?? "",
    address: existing?.address ?? "",
    payout_account: existing?.payout_account ?? "",
  };
  const seller = session.current()?.group === "seller";
  async function save(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const { payout_account, ...rest } = values;
      unwrap(
        await api.PUT("/me/profile", {
          body: {
            name: rest.name,
            email: rest.email,
            phone: rest.phone,
            address: rest.address,
            payout_account: payout_account || null,
          },
        }),
      );
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  }
  const input = (name: string, label: string, type = "text") => (
    <Field label={label} id={name} error={error}>
      <input
        id={name}
        type={type}
        value={values[name]}
        onInput={(e) => setForm({ ...values, [name]: (e.target as HTMLInputElement).value })}
      />
    </Field>
  );
  return (
    <form class="panel" onSubmit={save} aria-labelledby="profile-title">
      <h1 id="profile-title">{t("profile")}</h1>
      <p class="muted">{t("profileWhy")}</p>
      {input("name", t("name"))}
      {input("email", t("email"), "email")}
      {input("phone", t("phone"), "tel")}
      {input("address", t("address"))}
      {seller && input("payout_account", t("payoutAccount"))}
      <ErrorText error={error} />
      <button type="submit">{t("saveProfile")}</button>
      {saved && <p role="status">{t("saved")}</p>}
    </form>
  );
}
