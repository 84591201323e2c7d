// Small pieces every page uses: errors in words next to their field, loading, a refresh timer.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";

import { ApiProblem } from "./api/client";
import { t } from "./i18n";

export function ErrorText({ error, field }: { error: unknown; field?: string }) {
  if (!error) return null;
  if (error instanceof ApiProblem) {
    const mine = field === undefined ? true : error.field === field || error.field?.endsWith(`.${field}`);
    if (!mine) return null;
    if (field === undefined && error.field && FIELDS.has(error.field.split(".").pop() ?? "")) return null;
    return (
      <p class="error" role="alert">
        {error.message}
      </p>
    );
  }
  if (field !== undefined) return null;
  return (
    <p class="error" role="alert">
      {t("error")}: {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

// Fields the forms show errors next to (so the form-level message does not repeat them).
const FIELDS = new Set(["tickets", "title", "price", "expected_entrants", "closes_at", "payment_method",
  "carrier", "tracking_number", "reason", "name", "email", "phone", "address", "payout_account",
  "transfer_reference", "description", "ticket_limit", "surplus_policy", "second_payment", "ship",
  "delivery", "confirm", "resolution", "bank", "number", "holder_name", "note"]);

export function Field(props: { label: string; id: string; error?: unknown; field?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      <ErrorText error={props.error} field={props.field ?? props.id} />
    </div>
  );
}

/** Loads ``load()`` now and every ``everySeconds``; returns [data, error, reload]. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everySeconds = 0): [T | null, unknown, () => void] {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(null)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  useEffect(() => {
    if (!everySeconds) return;
    const id = setInterval(() => setTick((n) => n + 1), everySeconds * 1000);
    return () => clearInterval(id);
  }, [everySeconds]);
  return [data, error, () => setTick((n) => n + 1)];
}
