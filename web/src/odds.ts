// The chance of being drawn first, as the server computes it (tombola/domain/odds.py): every
// ticket in the draw, paid or free, is one equal chance, so holding `mine` of the tickets in is
// mine / tickets. Shown before every purchase: now, and once the paid tickets reach Np.
export interface Chances {
  mine: number; // the buyer's tickets, those being bought included
  now: number; // the tickets in the draw now, those being bought included
  if_full: number; // the tickets in the draw once the paid ones reach Np
}

export function chances(a: { mine: number; adding: number; paid: number; free: number; expected: number }): Chances {
  return {
    mine: a.mine + a.adding,
    now: a.paid + a.free + a.adding,
    if_full: Math.max(a.expected, a.paid + a.adding) + a.free,
  };
}

/** "1 in 40" style: the whole number of tickets per chance, for words; and a percentage. */
export function percent(mine: number, of: number): string {
  if (of <= 0 || mine <= 0) return "0%";
  const p = (100 * mine) / of;
  if (p >= 99.95) return "100%";
  if (p >= 10) return `${p.toFixed(0)}%`;
  if (p >= 0.1) return `${p.toFixed(1).replace(/\.0$/, "")}%`; // "3%", not "3.0%"
  return `${p.toPrecision(1)}%`;
}
