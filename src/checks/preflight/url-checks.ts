import type { DatabaseTimeouts } from '../../db/database';
import type { Database, Hop } from '../../plan/plan';
import type { PreflightCheck } from './preflight-check';
import { openRoleSession, type RoleSession } from './role-session';

/** Whose URL: the bot's own (url_env) or the app's (app_url_env). */
export type UrlUse = 'bot' | 'app';

export interface UrlOutcome {
  check: PreflightCheck;
  /** The open session when it connected; the caller closes it. */
  session?: RoleSession;
}

/**
 * One URL of the plan: named, set, and reachable (one connection, bounded by the plan's timeouts).
 * Names the variable, never its value.
 */
export async function checkUrl(db: Database, side: 'source' | 'target', use: UrlUse, urls: Record<string, string | undefined>, timeouts: DatabaseTimeouts, now: () => number): Promise<UrlOutcome> {
  const env = use === 'bot' ? db.urlEnv : db.appUrlEnv;
  const label = use === 'bot' ? `Bot's URL for ${side} ${db.id} (${db.urlEnv})` : `App's URL for ${side} ${db.id} (${env ?? 'app_url_env'})`;
  const base = { id: `url.${use}.${side}`, label, source: `${side} ${db.id}`, observedAt: now(), as: env ?? 'the plan' };
  if (!env) {
    return {
      check: {
        ...base,
        status: 'fail',
        value: 'not in the plan',
        detail: `databases.${db.id} has no app_url_env: the cutover will refuse to run (the app is never given the bot's own URL)`,
        fix: { kind: 'plan', text: `databases:\n  ${db.id}:\n    url_env: ${db.urlEnv}\n    app_url_env: ${db.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_APP_URL   # the URL with the app's own role` },
      },
    };
  }
  const url = urls[env];
  if (!url) return { check: { ...base, status: 'fail', value: 'not set', detail: `${env} is not in the bot's environment`, fix: { kind: 'env', text: `set ${env} in the bot's environment (the ${use === 'bot' ? "bot's" : "app's"} connection URL for ${db.id})` } } };
  try {
    const session = await openRoleSession({ url, tls: db.tls }, timeouts);
    return { check: { ...base, status: 'ok', value: `connects as ${session.role}${session.superuser ? ' (superuser)' : ''}, ${session.transport}` }, session };
  } catch (e) {
    return {
      check: {
        ...base,
        status: 'fail',
        value: 'unreachable',
        detail: `${(e as Error).message} (within ${timeouts.connectTimeoutMs} ms)`,
        fix: { kind: 'env', text: `check ${env}: host, port, database, role and password, and that the bot's network reaches ${db.id}` },
      },
    };
  }
}

/** The variables a hop's cutover uses: the bot's on both ends, and the app's on both ends. */
export function urlsOf(hop: Hop): { db: Database; side: 'source' | 'target'; use: UrlUse }[] {
  return [
    { db: hop.source, side: 'source', use: 'bot' },
    { db: hop.target, side: 'target', use: 'bot' },
    { db: hop.source, side: 'source', use: 'app' },
    { db: hop.target, side: 'target', use: 'app' },
  ];
}
