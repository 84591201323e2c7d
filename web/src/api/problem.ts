// A refusal from the API as the pages use it (no side effects: unit-tested in node).
import type { components } from "./schema";

type ErrorDetail = components["schemas"]["ErrorDetail"];

export type Limits = Record<string, number | string>;

/** What a responsible-play refusal says beside its code: when a break or exclusion ends
 * (``until``), and for a spend limit the window passed and when it starts again. */
export interface ProblemFacts {
  until?: string;
  window?: string;
  resets_at?: string;
}

/** One field's problem: the server's validation (pydantic) or the client's own check. */
export interface FieldProblem {
  field: string; // without the "body." a validation error's location starts with
  type: string;
  message: string;
  limits: Limits | null;
}

const fieldName = (f: string | null | undefined): string | null => (f ? f.replace(/^body\./, "") : null);

/** Whether ``name`` (e.g. "deadlines.ship") is the field ``field`` ("ship" or "deadlines.ship"). */
export function sameField(name: string | null, field: string): boolean {
  return name !== null && (name === field || name.endsWith(`.${field}`));
}

/** A refusal from the API: its code, the field it concerns and the bounds broken, for the
 * client's own words (errors.ts); the server's English ``message`` is kept for a tooltip. */
export class ApiProblem extends Error {
  readonly field: string | null;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    field: string | null,
    readonly limits: Limits | null = null,
    readonly problems: FieldProblem[] = [],
    readonly facts: ProblemFacts = {},
  ) {
    super(message);
    this.field = fieldName(field);
  }

  /** A check made in the page before asking the server (same words as the server's refusal). */
  static local(code: string, field: string, limits: Limits | null = null, type = code): ApiProblem {
    return new ApiProblem(0, code, "", field, limits, [{ field, type, message: "", limits }]);
  }

  /** The problems concerning ``field``: the validation's, else the refusal itself. */
  about(field: string): FieldProblem[] {
    const mine = this.problems.filter((p) => sameField(p.field, field));
    if (mine.length || this.problems.length) return mine;
    return sameField(this.field, field) ? [{ field, type: this.code, message: this.message, limits: this.limits }] : [];
  }

  /** This refusal once ``field`` changed: what is left of it, or null. */
  without(field: string): ApiProblem | null {
    const left = this.problems.filter((p) => !sameField(p.field, field));
    if (!sameField(this.field, field)) {
      return left.length === this.problems.length
        ? this
        : new ApiProblem(this.status, this.code, this.message, this.field, this.limits, left, this.facts);
    }
    if (!left.length) return null;
    const [first] = left;
    return new ApiProblem(this.status, this.code, first.message, first.field, first.limits ?? this.limits, left, this.facts);
  }
}

/** The API's error body ({"error": {...}, "problems": [...]}) as an ApiProblem. */
export function problemOf(status: number, statusText: string, body: unknown): ApiProblem {
  const b = (body ?? {}) as { error?: ErrorDetail; message?: string; problems?: components["schemas"]["Problem"][] | null };
  const problem = b.error;
  return new ApiProblem(
    status,
    problem?.code ?? "http_" + status,
    problem?.message ?? b.message ?? statusText,
    problem?.field ?? null,
    (problem?.limits as Limits | null | undefined) ?? null,
    (b.problems ?? []).map((p) => ({
      field: fieldName(p.field) ?? "",
      type: p.type,
      message: p.message,
      limits: (p.limits as Limits | null | undefined) ?? null,
    })),
    factsOf(problem),
  );
}

function factsOf(problem: ErrorDetail | undefined): ProblemFacts {
  const facts: ProblemFacts = {};
  if (problem?.until) facts.until = problem.until;
  if (problem?.window) facts.window = problem.window;
  if (problem?.resets_at) facts.resets_at = problem.resets_at;
  return facts;
}

