import { rotateSigningKeys, SIGNING_KEYS_FILE } from "@teams/auth";
import type { Config } from "../config.js";
import { UsageError } from "./usage-error.js";

export const keysHelp = `teams keys: the service's own signing keys

Usage: teams keys rotate

  rotate   make a new signing key in the data folder (TEAMS_DATA_DIR, by default the folder of
           TEAMS_DATABASE; file ${SIGNING_KEYS_FILE}) and print its kid. The old key becomes the
           previous one: it is still published at /.well-known/jwks.json and still verifies the
           tokens it signed for the longest lifetime of a token (8 hours), then it is dropped;
           an older previous key is dropped at once. A running server reads the keys when it
           starts (and when it meets a token of a key it does not know, at most every 30 s):
           restart every instance after a rotation.

With TEAMS_SIGNING_KEY set the key is the operator's to rotate, and this command refuses.`;

/** `teams keys rotate`: resolves to the line to print (the new kid). */
export async function keysCommand(args: string[], config: Config): Promise<string> {
  const [action, ...rest] = args;
  if (action !== "rotate" || rest.length > 0) {
    throw new UsageError("usage: teams keys rotate (see teams keys --help)");
  }
  if (config.signingKey !== undefined) {
    throw new UsageError(
      "teams keys rotate: TEAMS_SIGNING_KEY is set, so the signing key is not in the data folder; rotate it where it is kept",
    );
  }
  const { kid } = await rotateSigningKeys({ dataDir: config.dataDir });
  return kid;
}
