// The API, typed from the served OpenAPI document (src/api/schema.d.ts, `npm run gen`): a
// contract change breaks this build, not its users.
import createClient from "openapi-fetch";

import { config } from "../config";
import { problemOf } from "./problem";
import type { components, paths } from "./schema";
import { session } from "./session";

export type Schemas = components["schemas"];
export type Listing = Schemas["ListingView"];
export type Entry = Schemas["EntryView"];
export type Problem = Schemas["ErrorDetail"];

export { ApiProblem, problemOf, sameField, type FieldProblem, type Limits } from "./problem";

export const api = createClient<paths>({ baseUrl: config().apiUrl });

api.use({
  onRequest({ request }) {
    const token = session.current()?.token;
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
});

type Result<T> = { data?: T; error?: unknown; response: Response };

export function unwrap<T>(result: Result<T>): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  throw problemOf(result.response.status, result.response.statusText, result.error);
}

/** Every page of a paged list, in order: ``page(cursor)`` loads one (no cursor: the first),
 * then its ``next_cursor`` is followed until it is null. */
export async function everyPage<P extends { next_cursor?: string | null }>(page: (cursor?: string) => Promise<P>): Promise<P[]> {
  const pages: P[] = [];
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    pages.push(next);
    cursor = next.next_cursor ?? undefined;
  } while (cursor);
  return pages;
}

/** Pays a sandbox checkout (the local stack's provider) the way its checkout page does. */
export async function paySandbox(checkoutId: string, outcome: "pay" | "fail" = "pay"): Promise<void> {
  const r = await fetch(`/sandbox/checkouts/${encodeURIComponent(checkoutId)}/${outcome}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (!r.ok) {
    const text = await r.text();
    let body: unknown = { error: { code: "checkout_failed", message: text } };
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as the message
    }
    throw problemOf(r.status, r.statusText, body);
  }
}

/** The sandbox's identity verification window (the local stack's provider): the person says who
 * they are. A verification recorded before (the page sent twice) is finished all the same. */
export async function sandboxIdentity(verificationId: string, person: { name: string; birth_date: string; phone: string }): Promise<void> {
  const r = await fetch(`/sandbox/identity/${encodeURIComponent(verificationId)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(person),
  });
  if (r.ok || r.status === 409) return;
  const text = await r.text();
  let body: unknown = { error: { code: "identity_failed", message: text } };
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as the message
  }
  throw problemOf(r.status, r.statusText, body);
}
