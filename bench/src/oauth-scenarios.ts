import { managerOf, type Scale, userId } from "./dataset/shape.js";
import type { HttpScenario } from "./scenarios.js";

type Mint = (sub: string, azp?: string) => Promise<string>;

/** Managed users of the data set and their managers' own tokens: the last 100 users. */
async function delegations(scale: Scale, mint: Mint): Promise<{ token: string; sub: string }[]> {
  const pairs: { token: string; sub: string }[] = [];
  for (let k = 0; k < 100; k++) {
    const n = scale.users - 1 - k;
    const manager = managerOf(scale, n);
    if (manager === null) throw new Error("delegations need managed users");
    pairs.push({ token: await mint(userId(manager)), sub: userId(n) });
  }
  return pairs;
}

/** `count` refresh tokens of families of their own, obtained from the running service. */
async function issueRefreshTokens(
  url: string,
  pairs: { token: string; sub: string }[],
  count: number,
): Promise<string[]> {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, count - i) }, async (_, j) => {
        const pair = pairs[(i + j) % pairs.length] as { token: string; sub: string };
        const response = await fetch(`${url}/api/v1/oauth/delegated-token`, {
          method: "POST",
          headers: { authorization: `Bearer ${pair.token}`, "content-type": "application/json" },
          body: JSON.stringify({ sub: pair.sub }),
        });
        if (response.status !== 200) {
          throw new Error(`delegated-token answered ${response.status}: ${await response.text()}`);
        }
        return ((await response.json()) as { refresh_token: string }).refresh_token;
      }),
    );
    tokens.push(...batch);
  }
  return tokens;
}

/**
 * Issuing a delegated token (a manager's token, `{sub}` of one of its managed users, in turn)
 * and refreshing one (chains of rotations, each refresh token used once), over HTTP. Each refresh
 * run starts from refresh tokens of its own (`freshLines`): a token rotated in the warm-up would
 * be a reuse in the measured run.
 */
export async function oauthScenarios(o: {
  scale: Scale;
  mint: Mint;
  seconds: number;
  url: string;
}): Promise<HttpScenario[]> {
  const pairs = await delegations(o.scale, o.mint);
  const connections = 50;
  return [
    {
      key: "rest-delegated-token",
      label: "REST POST /api/v1/oauth/delegated-token (a managed user)",
      kind: "rotate",
      lines: pairs.map(
        (p) => `POST\t/api/v1/oauth/delegated-token\t${p.token}\t${JSON.stringify({ sub: p.sub })}`,
      ),
      connections,
      seconds: o.seconds,
    },
    {
      key: "rest-refresh",
      label: "REST POST /api/v1/oauth/token, grant_type=refresh_token (rotation)",
      kind: "refresh-chains",
      lines: [],
      freshLines: () => issueRefreshTokens(o.url, pairs, connections * 4),
      connections,
      seconds: o.seconds,
    },
  ];
}
