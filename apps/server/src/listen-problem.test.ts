import { describe, expect, it } from "vitest";
import { listenProblem } from "./listen-problem.js";

describe("listenProblem: why the server cannot listen, naming the variable to change", () => {
  it.each([
    ["EADDRINUSE", "PORT 8000 is already in use on 127.0.0.1"],
    ["EACCES", "PORT 8000 needs privileges"],
    ["ENOTFOUND", "HOST 127.0.0.1 does not resolve"],
    ["EAI_AGAIN", "HOST 127.0.0.1 does not resolve"],
    ["EADDRNOTAVAIL", "HOST 127.0.0.1 is not an address of this machine"],
  ])("%s", (code, line) => {
    expect(listenProblem(Object.assign(new Error("x"), { code }), "127.0.0.1", 8000)).toContain(
      line,
    );
  });

  it("leaves any other error as it is", () => {
    expect(listenProblem(new Error("disk"), "127.0.0.1", 8000)).toBeUndefined();
    expect(listenProblem(null, "127.0.0.1", 8000)).toBeUndefined();
  });
});
