// Who is signed in. Locally, a token minted by the stack's stand-in for Cognito
// (POST /sandbox/tokens); deployed, Cognito's hosted sign-in (authorization code with PKCE).
import { config } from "../config";
import { authorizeUrl, challengeOf, claimsOf, newVerifier, tokenRequest } from "./pkce";
import { problemOf } from "./problem";

export type Group = "buyer" | "seller" | "operator";
const GROUPS: Group[] = ["operator", "seller", "buyer"];
const PENDING = "tombola.signin";

export interface Session {
  user: string;
  group: Group;
  token: string;
}

const KEY = "tombola.session";
const listeners = new Set<() => void>();

export const session = {
  current(): Session | null {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  },
  async signIn(user: string, group: Group): Promise<Session> {
    const r = await fetch("/sandbox/tokens", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user, groups: [group] }),
    });
    const body = await r.json();
    if (!r.ok) throw problemOf(r.status, r.statusText, body); // e.g. a user name it cannot take
    // the name as the stand-in keeps it (NFKC: a Korean name typed in decomposed jamo, composed)
    const s: Session = { user: body.user ?? user, group, token: body.token };
    localStorage.setItem(KEY, JSON.stringify(s));
    listeners.forEach((f) => f());
    return s;
  },
  signOut(): void {
    localStorage.removeItem(KEY);
    listeners.forEach((f) => f());
    const c = config();
    if (c.auth === "cognito" && c.signInDomain && c.clientId) {
      const back = encodeURIComponent(`${window.location.origin}/`);
      window.location.href = `${c.signInDomain}/logout?client_id=${c.clientId}&logout_uri=${back}`;
    }
  },
  /** Deployed: to Cognito's hosted sign-in page, which comes back with ?code=. */
  async signInHosted(): Promise<void> {
    const c = config();
    const verifier = newVerifier();
    const state = newVerifier();
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
    const redirect = `${window.location.origin}/`;
    window.location.href = authorizeUrl(c.signInDomain!, c.clientId!, redirect, await challengeOf(verifier), state);
  },
  /** Back from the hosted sign-in: trade the code for tokens (once), then forget the code. */
  async completeHostedSignIn(): Promise<void> {
    const params = new URLSearchParams(window.location.search);
    const code = params.get("code");
    const pending = sessionStorage.getItem(PENDING);
    if (!code || !pending) return;
    sessionStorage.removeItem(PENDING);
    const { verifier, state } = JSON.parse(pending) as { verifier: string; state: string };
    window.history.replaceState(null, "", `${window.location.pathname}${window.location.hash}`);
    if (params.get("state") !== state) throw new Error("sign-in state mismatch");
    const c = config();
    const redirect = `${window.location.origin}/`;
    const r = await fetch(`${c.signInDomain}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: tokenRequest(c.clientId!, redirect, code, verifier),
    });
    if (!r.ok) throw new Error(`sign-in failed (${r.status})`);
    const tokens = (await r.json()) as { id_token: string };
    const claims = claimsOf(tokens.id_token);
    const groups = (claims["cognito:groups"] as string[] | undefined) ?? [];
    const group = GROUPS.find((g) => groups.includes(g)) ?? "buyer";
    const user = String(claims.email ?? claims["cognito:username"] ?? claims.sub);
    localStorage.setItem(KEY, JSON.stringify({ user, group, token: tokens.id_token }));
    listeners.forEach((f) => f());
  },
  subscribe(f: () => void): () => void {
    listeners.add(f);
    return () => listeners.delete(f);
  },
};
