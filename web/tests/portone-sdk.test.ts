// PortOne's browser SDK is loaded once, on the first verification that goes to PortOne; a failed
// load is tried again on the next click.
import { afterEach, describe, expect, it } from "vitest";

import { loadPortOne, PORTONE_SDK } from "../src/portone";

type Script = { src: string; async: boolean; onload?: () => void; onerror?: () => void };

function fakeDocument() {
  const added: Script[] = [];
  const doc = {
    createElement: () => ({ src: "", async: false }) as Script,
    head: { appendChild: (s: Script) => added.push(s) },
  } as unknown as Document;
  return { doc, added };
}

const win = globalThis as unknown as { window: { PortOne?: unknown } };

afterEach(() => {
  delete win.window.PortOne;
});

describe("PortOne's browser SDK", () => {
  it("is loaded once from PortOne's CDN, then used", async () => {
    win.window = win.window ?? {};
    const { doc, added } = fakeDocument();
    const first = loadPortOne(doc);
    const again = loadPortOne(doc);
    expect(added).toHaveLength(1);
    expect(added[0].src).toBe(PORTONE_SDK);
    const sdk = { requestIdentityVerification: async () => undefined };
    win.window.PortOne = sdk;
    added[0].onload?.();
    expect(await first).toBe(sdk);
    expect(await again).toBe(sdk);
    expect(await loadPortOne(doc)).toBe(sdk);
  });
});
