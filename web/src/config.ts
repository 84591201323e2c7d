// Where the API is and how people sign in: /config.json, written at deploy (make deploy-web);
// the local stack answers {"auth": "local"} (its own stand-in for Cognito, same origin).
export interface Config {
  apiUrl: string;
  auth: "local" | "cognito";
  signInDomain?: string;
  clientId?: string;
}

let loaded: Config = { apiUrl: window.location.origin, auth: "local" };

export async function loadConfig(): Promise<Config> {
  try {
    const r = await fetch("/config.json", { cache: "no-store" });
    if (r.ok) {
      const c = (await r.json()) as Partial<Config>;
      loaded = { ...loaded, ...c, apiUrl: c.apiUrl || window.location.origin };
    }
  } catch {
    // no config: the local stack's defaults
  }
  return loaded;
}

export function config(): Config {
  return loaded;
}
