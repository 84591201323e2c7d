import { session } from "./api/session";
import { lang, setLang, t } from "./i18n";
import { OperatorPage } from "./pages/operator";
import { ProfilePage, SignInPage } from "./pages/account";
import { Browse } from "./pages/browse";
import { CheckoutPage } from "./pages/checkout";
import { DrawPage } from "./pages/draw";
import { EntriesPage } from "./pages/entries";
import { ListingPage } from "./pages/listing";
import { SellPage } from "./pages/sell";
import { SellerListingPage } from "./pages/seller-listing";
import { match, route } from "./router";
import { useSignal, signal } from "./signal";

const signedIn = signal(session.current());
session.subscribe(() => signedIn.set(session.current()));

function Page({ path }: { path: string }) {
  let p: Record<string, string> | null;
  if ((p = match("/listing/:id", path))) return <ListingPage id={p.id} />;
  if ((p = match("/draw/:id", path))) return <DrawPage id={p.id} />;
  if ((p = match("/checkout/:id", path))) return <CheckoutPage id={p.id} />;
  if ((p = match("/sell/:id", path))) return <SellerListingPage id={p.id} />;
  if (match("/sell", path)) return <SellPage />;
  if (match("/entries", path)) return <EntriesPage />;
  if (match("/operator", path)) return <OperatorPage />;
  if (match("/signin", path)) return <SignInPage />;
  if (match("/profile", path)) return <ProfilePage />;
  return <Browse />;
}

export function App() {
  const path = useSignal(route);
  const me = useSignal(signedIn);
  const current = useSignal(lang);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        {current === "ko" ? "본문으로 건너뛰기" : "Skip to content"}
      </a>
      <header>
        <nav aria-label={t("appName")}>
          <a href="#/" class="brand">
            {t("appName")}
          </a>
          <a href="#/">{t("browse")}</a>
          {me?.group === "buyer" && <a href="#/entries">{t("myEntries")}</a>}
          {me?.group === "seller" && <a href="#/sell">{t("sell")}</a>}
          {me?.group === "operator" && <a href="#/operator">{t("operator")}</a>}
          <span class="spacer" />
          {me ? (
            <>
              <a href="#/profile">{t("signedInAs", { user: me.user, group: t(me.group) })}</a>
              <button class="link" onClick={() => session.signOut()}>
                {t("signOut")}
              </button>
            </>
          ) : (
            <a href="#/signin">{t("signIn")}</a>
          )}
          <label class="lang">
            <span class="sr-only">{t("language")}</span>
            <select value={current} onChange={(e) => setLang((e.target as HTMLSelectElement).value as "ko" | "en")}>
              <option value="ko">한국어</option>
              <option value="en">English</option>
            </select>
          </label>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} key={`${path}|${current}|${me?.user ?? ""}`} />
      </main>
    </>
  );
}
