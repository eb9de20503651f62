import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";
import { detailResponse, HttpProblem } from "./fastapi-errors.js";
import { clientAddress, normalAddress } from "./public-origin.js";

/** How many requests the server takes, per window, before it answers 429 (issue 18, item 4). */
export interface RateLimitOptions {
  /** TEAMS_RATE_LIMIT: requests per window from one client address; 0 turns it off. Default 0. */
  perAddress?: number;
  /** TEAMS_RATE_LIMIT_CALLER: requests per window of one authenticated caller (`sub`); 0 off. Default 0. */
  perCaller?: number;
  /**
   * TEAMS_RATE_LIMIT_AUTH_FAILURES: 401 answers per window to one client address; past them every
   * request from that address is refused until the window ends. 0 off. Default 0.
   */
  authFailures?: number;
  /** TEAMS_RATE_LIMIT_WINDOW: the window in seconds. Default 60. */
  windowSeconds?: number;
  /** TEAMS_TRUSTED_PROXIES: peers whose `X-Forwarded-For` names the client. Default none. */
  trustedProxies?: readonly string[];
}

/** A 429 a caller earned: `Retry-After` and the IETF draft's `RateLimit-Policy`/`RateLimit`. */
export class RateLimited extends HttpProblem {
  constructor(headers: Record<string, string>) {
    super(429, "Too Many Requests", headers);
  }
}

/** The limits as the request path uses them; undefined from `rateLimits` when all are off. */
export interface RateLimits {
  /** Before dispatch: a 429 for an address over its limit (or its failed authentications). */
  admit(request: Request, env: unknown): Promise<Response | undefined>;
  /** After dispatch: counts a 401 against the request's address. */
  answered(request: Request, response: Response): Promise<void>;
  /** On authentication: throws RateLimited when the caller is over its limit. */
  admitCaller(sub: string): Promise<void>;
}

interface Policy {
  name: string;
  limiter: RateLimiterMemory;
  quota: number;
  window: number;
}

/**
 * The draft's headers (draft-ietf-httpapi-ratelimit-headers, structured fields): the policy's
 * quota `q` per window `w`, what `r` remains and in how many seconds `t` it comes back.
 */
function limitedHeaders(policy: Policy, res: RateLimiterRes): Record<string, string> {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return {
    "retry-after": String(seconds),
    "ratelimit-policy": `"${policy.name}";q=${policy.quota};w=${policy.window}`,
    ratelimit: `"${policy.name}";r=${res.remainingPoints};t=${seconds}`,
  };
}

function policy(name: string, quota: number | undefined, window: number): Policy | undefined {
  if (!quota) return undefined;
  return {
    name,
    quota,
    window,
    limiter: new RateLimiterMemory({ keyPrefix: name, points: quota, duration: window }),
  };
}

/** rate-limiter-flexible rejects with the RateLimiterRes when over, with an Error when broken. */
async function consume(policy: Policy, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await policy.limiter.consume(key);
    return undefined;
  } catch (error) {
    if (error instanceof Error) throw error;
    return error as RateLimiterRes;
  }
}

/**
 * Per-instance counters (in memory): with several instances each counts its own requests, so a
 * client may send up to the limit times the number of instances.
 */
export function rateLimits(options: RateLimitOptions): RateLimits | undefined {
  const window = options.windowSeconds ?? 60;
  const address = policy("address", options.perAddress, window);
  const caller = policy("caller", options.perCaller, window);
  const failures = policy("auth_failures", options.authFailures, window);
  if (!address && !caller && !failures) return undefined;
  const trusted = new Set((options.trustedProxies ?? []).map(normalAddress));
  const addresses = new WeakMap<Request, string>();

  return {
    async admit(request, env) {
      if (!address && !failures) return undefined;
      const from = clientAddress(request, env, trusted);
      if (from === undefined) return undefined;
      addresses.set(request, from);
      if (failures) {
        const spent = await failures.limiter.get(from);
        if (spent && spent.consumedPoints >= failures.quota) {
          return detailResponse(429, "Too Many Requests", limitedHeaders(failures, spent));
        }
      }
      if (address) {
        const over = await consume(address, from);
        if (over) return detailResponse(429, "Too Many Requests", limitedHeaders(address, over));
      }
      return undefined;
    },
    async answered(request, response) {
      if (!failures || response.status !== 401) return;
      const from = addresses.get(request);
      if (from !== undefined) await failures.limiter.penalty(from);
    },
    async admitCaller(sub) {
      if (!caller) return;
      const over = await consume(caller, sub);
      if (over) throw new RateLimited(limitedHeaders(caller, over));
    },
  };
}
