// Hash routes (#/listing/L1): the static page works from any path, no server rewrites needed.
import { signal } from "./signal";

export const route = signal<string>(location.hash.slice(1) || "/");
window.addEventListener("hashchange", () => route.set(location.hash.slice(1) || "/"));

export function go(path: string): void {
  location.hash = path;
}

/** The parameters of ``pattern`` (":name" segments) if ``path`` matches it. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split("/");
  const s = path.split("?")[0].split("/");
  if (p.length !== s.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(":")) params[p[i].slice(1)] = decodeURIComponent(s[i]);
    else if (p[i] !== s[i]) return null;
  }
  return params;
}
