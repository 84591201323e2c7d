import { session } from "./api/session";
import { lang, setLang, t } from "./i18n";
import { OperatorPage } from "./pages/operator";
import { ProfilePage, SignInPage } from "./pages/account";
import { Browse } from "./pages/browse";
import { CheckoutPage } from "./pages/checkout";
import { ComplaintsPage } from "./pages/complaints";
import { DrawPage } from "./pages/draw";
import { EntriesPage } from "./pages/entries";
import { HowPage } from "./pages/how";
import { NotificationsPage } from "./pages/notifications";
import { PlayPage, VerifyPage } from "./pages/play";
import { drawnNote, unread, watchNotes } from "./notes";
import { noteParts, w } from "./i18n/words";
import { ListingPage } from "./pages/listing";
import { SellPage } from "./pages/sell";
import { SellerListingPage } from "./pages/seller-listing";
import { match, route } from "./router";
import { useSignal, signal } from "./signal";
import { firstLoads } from "./ui";

const signedIn = signal(session.current());
session.subscribe(() => signedIn.set(session.current()));

function Page({ path }: { path: string }) {
  let p: Record<string, string> | null;
  const query = new URLSearchParams(path.split("?")[1] ?? "");
  if ((p = match("/listing/:id", path))) return <ListingPage id={p.id} query={query} />;
  if ((p = match("/draw/:id", path))) return <DrawPage id={p.id} />;
  if ((p = match("/checkout/:id", path))) return <CheckoutPage id={p.id} />;
  if ((p = match("/verify/:id", path))) return <VerifyPage id={p.id} />;
  if ((p = match("/sell/:id", path))) return <SellerListingPage id={p.id} />;
  if (match("/sell", path)) return <SellPage />;
  if (match("/entries", path)) return <EntriesPage query={query} />;
  if (match("/operator", path)) return <OperatorPage />;
  if (match("/signin", path)) return <SignInPage />;
  if (match("/profile", path)) return <ProfilePage />;
  if (match("/play", path)) return <PlayPage />;
  if (match("/complaints", path)) return <ComplaintsPage query={query} />;
  if (match("/how", path)) return <HowPage />;
  if (match("/notifications", path)) return <NotificationsPage />;
  return <Browse />;
}

export function App() {
  const path = useSignal(route);
  const me = useSignal(signedIn);
  const current = useSignal(lang);
  const unreadNow = useSignal(unread);
  const drawn = useSignal(drawnNote);
  const loading = useSignal(firstLoads);
  watchNotes();
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById("main")?.focus())}>
        {t("skipToContent")}
      </a>
      <header>
        <nav aria-label={t("appName")}>
          <a href="#/" class="brand">
            {t("appName")}
          </a>
          <a href="#/">{t("browse")}</a>
          <a href="#/how">{t("howItWorks")}</a>
          {me?.group === "buyer" && <a href="#/entries">{t("myEntries")}</a>}
          {me?.group === "seller" && <a href="#/sell">{t("sell")}</a>}
          {me?.group === "operator" && <a href="#/operator">{t("operator")}</a>}
          <span class="spacer" />
          {me ? (
            <>
              <a href="#/notifications" class="bell" data-testid="bell">
                {w("notifications")}
                {unreadNow > 0 && (
                  <span class="count">
                    {unreadNow > 99 ? "99+" : unreadNow}
                    <span class="sr-only"> {w("unread")}</span>
                  </span>
                )}
              </a>
              {me.group !== "operator" && (
                <a href="#/play" data-testid="play-link">
                  {t("playNav")}
                </a>
              )}
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
      {me && drawn && (
        <div class="drawn-banner" role="status" data-testid="drawn-banner">
          <p>
            {noteParts("SecondPaymentDue", drawn.title, drawn.facts)}{" "}
            <a href="#/entries">{w("payNow")}</a>
          </p>
        </div>
      )}
      <main id="main" tabIndex={-1} aria-busy={loading > 0 ? "true" : "false"} data-route={path}>
        {/* not keyed on the language: switching it re-renders the page, keeping what was typed */}
        <Page path={path} key={`${path.split("?")[0]}|${me?.user ?? ""}`} />
      </main>
      <footer>
        <p>
          <a href="#/how">{t("howItWorks")}</a> · <a href="#/">{t("browse")}</a>
          {me && me.group !== "operator" && (
            <>
              {" · "}
              <a href="#/complaints">{t("complaints")}</a>
            </>
          )}
        </p>
      </footer>
    </>
  );
}
