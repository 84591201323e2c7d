import { describe, expect, it } from "vitest";

import { displayPhone } from "../src/phones";

describe("a phone as people write it", () => {
  it.each([
    ["+821012345678", "010-1234-5678"],
    ["+82101234567", "010-123-4567"],
    ["+8221234567", "02-123-4567"],
    ["+82212345678", "02-1234-5678"],
    ["+827012345678", "070-1234-5678"],
    ["+8215881234", "1588-1234"],
    ["+447400123456", "+44 7400 123456"],
    ["+12015550123", "+12015550123"],
  ])("%s → %s", (kept, shown) => expect(displayPhone(kept)).toBe(shown));
});
