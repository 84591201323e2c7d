// Runs the verification off the page's thread, reporting progress.
import { verify, type Transcript } from "./draw";

self.onmessage = async (event: MessageEvent<Transcript>) => {
  const verdict = await verify(event.data, (done, total) =>
    self.postMessage({ kind: "progress", done, total }),
  );
  self.postMessage({ kind: "done", verdict });
};
