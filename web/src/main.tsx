import { render } from "preact";

import { loadConfig } from "./config";
import { lang } from "./i18n";
import "./style.css";

document.documentElement.lang = lang.get();
// The API client is made once the config says where the API is.
await loadConfig();
const [{ App }, { session }] = await Promise.all([import("./app"), import("./api/session")]);
await session.completeHostedSignIn().catch((e) => console.error(e));
render(<App />, document.getElementById("app")!);
