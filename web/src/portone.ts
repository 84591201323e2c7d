// PortOne's browser SDK (v2): loaded the first time a verification goes to PortOne (the
// sandbox's window needs none); a failed load is tried again on the next click.
/** Its identity verification window, as this client uses it. */
export interface PortOneSdk {
  requestIdentityVerification(request: {
    storeId: string;
    identityVerificationId: string;
    channelKey: string;
  }): Promise<{ code?: string; message?: string } | undefined>;
}

declare global {
  interface Window {
    PortOne?: PortOneSdk;
  }
}

export const PORTONE_SDK = "https://cdn.portone.io/v2/browser-sdk.js";
let loading: Promise<PortOneSdk | undefined> | null = null;

export function loadPortOne(doc: Document = document): Promise<PortOneSdk | undefined> {
  if (globalThis.window.PortOne) return Promise.resolve(globalThis.window.PortOne);
  loading ??= new Promise((resolve) => {
    const script = doc.createElement("script");
    script.src = PORTONE_SDK;
    script.async = true;
    script.onload = () => resolve(globalThis.window.PortOne);
    script.onerror = () => {
      loading = null; // a later click tries again
      resolve(undefined);
    };
    doc.head.appendChild(script);
  });
  return loading;
}

