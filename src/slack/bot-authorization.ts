import type { AuthorizeResult } from '@slack/bolt';
import type { AuthTestResponse, WebClient } from '@slack/web-api';
import type { Logger } from '../log';

/** auth.test's answers that mean the token itself is bad: no retry can help, a person must fix it. */
export const REJECTED_TOKEN_ERRORS: readonly string[] = ['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'not_allowed_token_type'];

/** What one auth.test said about the bot token. */
export type TokenCheck =
  | { kind: 'confirmed'; me: AuthTestResponse }
  | { kind: 'rejected'; error: string }
  | { kind: 'unanswered'; reason: string };

/** Asks Slack once about the bot token and sorts the outcome: confirmed, rejected (the token), or no answer (Slack). */
export async function checkBotToken(client: Pick<WebClient, 'auth'>): Promise<TokenCheck> {
  try {
    return { kind: 'confirmed', me: await client.auth.test() };
  } catch (e) {
    const error = platformError(e);
    if (error && REJECTED_TOKEN_ERRORS.includes(error)) return { kind: 'rejected', error };
    return { kind: 'unanswered', reason: error ? `Slack answered ${error}` : unansweredReason(e) };
  }
}

/** The sentence for a person whose token Slack refused. */
export function rejectedTokenMessage(error: string): string {
  return (
    `Slack rejected SLACK_BOT_TOKEN (auth.test: ${error}): the token is wrong, revoked, or belongs to an app no longer installed. ` +
    "Copy the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page."
  );
}

/** Waits before the n-th retry (from 0): 1 s, 2 s, 4 s … never more than `maxMs`. */
export function retryDelayMs(attempt: number, maxMs = 60_000): number {
  return Math.min(1000 * 2 ** attempt, maxMs);
}

/**
 * Bolt's `authorize` for the bot's one token, which never makes a request wait on Slack. (Bolt's own
 * waits on an `auth.test` sent at start-up and keeps its failure until a restart, so a Slack brownout
 * at start-up would leave every command unanswered.) Commands and buttons need only the token; the
 * bot's ids, which Bolt uses to skip the bot's own message events, are filled in when Slack answers.
 */
export function botAuthorization(client: Pick<WebClient, 'auth'>, botToken: string, opts: { maxRetryDelayMs?: number } = {}) {
  const known: AuthorizeResult = { botToken };
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  return {
    authorize: async (): Promise<AuthorizeResult> => ({ ...known }),
    /**
     * Asks Slack who the bot is until Slack answers (backing off up to `maxRetryDelayMs` between
     * tries) and says loudly what it answered. A rejected token is not asked about again.
     */
    async verify(log: Logger): Promise<void> {
      for (let attempt = 0; !stopped; attempt++) {
        const check = await checkBotToken(client);
        if (stopped) return;
        if (check.kind === 'confirmed') {
          Object.assign(known, { botId: check.me.bot_id, botUserId: check.me.user_id });
          log.info({ botUserId: check.me.user_id, team: check.me.team, attempts: attempt + 1 }, 'Slack confirmed the bot token');
          return;
        }
        if (check.kind === 'rejected') {
          log.error({ slackError: check.error }, `${rejectedTokenMessage(check.error)} Commands are still answered, but nothing can be posted to the channel.`);
          return;
        }
        const delayMs = retryDelayMs(attempt, opts.maxRetryDelayMs);
        log.warn({ reason: check.reason, retryInMs: delayMs }, `Slack did not answer auth.test (${check.reason}); asking again in ${Math.round(delayMs / 1000)} s`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, delayMs);
          timer.unref();
        });
      }
    },
    /** Ends a verify still retrying (the bot is stopping). */
    stopVerifying(): void {
      stopped = true;
      clearTimeout(timer);
      wake?.();
    },
  };
}

function platformError(e: unknown): string | undefined {
  const err = e as { code?: string; data?: { error?: unknown } };
  return err?.code === 'slack_webapi_platform_error' && typeof err.data?.error === 'string' ? err.data.error : undefined;
}

/** Why Slack gave no answer, in words (never the token). */
function unansweredReason(e: unknown): string {
  const err = e as { code?: string; statusCode?: number; original?: Error & { cause?: { code?: string; message?: string } } };
  if (err?.code === 'slack_webapi_http_error') return `Slack answered HTTP ${err.statusCode}`;
  const original = err?.original;
  if (original?.name === 'TimeoutError' || original?.name === 'AbortError') return 'no answer in time';
  const code = original?.cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the Slack API host name does not resolve';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code) return code;
  return original?.cause?.message ?? original?.message ?? (e instanceof Error ? e.message : String(e));
}
