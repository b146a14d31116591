import type { RetryOptions, WebClientOptions } from '@slack/web-api';

/** One Slack Web API request is abandoned (and maybe retried) after this long. */
export const SLACK_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Two retries, after 0.5 s and 1 s, and none started once 6 s have gone: a Slack that never answers
 * costs a call 10.5 s (two timed-out attempts), one that answers 500 about 1.5 s; slow answers and
 * rate limits together stay under 17 s. The library's default is ten retries over 30 minutes.
 */
export const SLACK_RETRY_POLICY: RetryOptions = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 1_000, maxRetryTime: 6_000 };

/** A rate limit's Retry-After is waited out up to this many seconds; a longer one fails the call at once. */
export const SLACK_MAX_RATE_LIMIT_WAIT_S = 5;

/**
 * The options of every Slack WebClient the bot makes (Bolt's, Socket Mode's, the poster's): bounded
 * retries, a request timeout, and no rate-limit pause longer than a call may take.
 */
export function slackClientOptions(opts: { apiUrl?: string; retryConfig?: RetryOptions }): WebClientOptions {
  return {
    slackApiUrl: opts.apiUrl ? withSlash(opts.apiUrl) : undefined,
    retryConfig: opts.retryConfig ?? SLACK_RETRY_POLICY,
    timeout: SLACK_REQUEST_TIMEOUT_MS,
    fetch: refuseLongRateLimits(SLACK_MAX_RATE_LIMIT_WAIT_S),
  };
}

/**
 * A fetch that turns a 429 asking for more than `maxWaitS` seconds into Slack's own "ratelimited"
 * answer, so the client fails the call at once. (The client would otherwise sleep the whole
 * Retry-After with every other call queued behind it; `rejectRateLimitedCalls` would drop even 1 s waits.)
 */
export function refuseLongRateLimits(maxWaitS: number, base: typeof fetch = (...a) => fetch(...a)): typeof fetch {
  return async (input, init) => {
    const res = await base(input, init);
    if (res.status !== 429) return res;
    const waitS = Number(res.headers.get('retry-after'));
    if (!Number.isFinite(waitS) || waitS <= maxWaitS) return res;
    await res.body?.cancel().catch(() => undefined);
    return Response.json({ ok: false, error: 'ratelimited', retry_after: waitS }, { status: 200 });
  };
}

function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
