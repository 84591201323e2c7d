// Who is signed in. Locally, a token minted by the stack's stand-in for Cognito
// (POST /sandbox/tokens); deployed, Cognito's hosted sign-in puts its token here.
export type Group = "buyer" | "seller" | "operator";

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
    if (!r.ok) throw new Error(body?.error?.message ?? "sign-in failed");
    const s: Session = { user, group, token: body.token };
    localStorage.setItem(KEY, JSON.stringify(s));
    listeners.forEach((f) => f());
    return s;
  },
  signOut(): void {
    localStorage.removeItem(KEY);
    listeners.forEach((f) => f());
  },
  subscribe(f: () => void): () => void {
    listeners.add(f);
    return () => listeners.delete(f);
  },
};
