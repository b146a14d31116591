import { DatabaseSet } from '../db/database-set';
import { withoutUrl } from '../db/url-free-message';
import type { DatabaseTimeouts } from '../db/database';
import type { Logger } from '../log';
import type { Plan } from '../plan/plan';
import { settlesWithin } from './settles-within';

export interface ProbeResult {
  /** The plan's database id and the variable its URL came from. */
  database: string;
  variable: string;
  reachable: boolean;
  /** Why not, in words (never the URL or its password). */
  reason?: string;
}

/**
 * Tries every database URL the plan names (url_env and app_url_env) once, side by side, and logs
 * each: reachable, or unreachable with the reason (a warning: the bot starts anyway, and its checks
 * say so until the database answers). Each try is bounded by the plan's connect and statement timeouts.
 */
export async function probeDatabases(plan: Plan, urls: Record<string, string | undefined>, timeouts: DatabaseTimeouts, log: Logger): Promise<ProbeResult[]> {
  // The same connections the bot makes (TLS included): the plan's databases, and again with each app URL in place of the bot's.
  const bots = new DatabaseSet(plan, urls, timeouts);
  const appPlan: Plan = { ...plan, databases: plan.databases.flatMap((d) => (d.appUrlEnv ? [{ ...d, urlEnv: d.appUrlEnv }] : [])) };
  const apps = new DatabaseSet(appPlan, urls, timeouts);
  const tries = [
    ...plan.databases.map((d) => ({ set: bots, database: d.id, variable: d.urlEnv })),
    ...appPlan.databases.map((d) => ({ set: apps, database: d.id, variable: d.urlEnv })),
  ];
  // TLS "prefer" asks the server first (one more connect), then the connection, then the statement.
  const boundMs = 2 * timeouts.connectTimeoutMs + timeouts.statementTimeoutMs + 1000;
  try {
    return await Promise.all(
      tries.map(async ({ set, database, variable }): Promise<ProbeResult> => {
        let reason: string | undefined;
        const answered = await settlesWithin(
          set
            .get(database)
            .query('select 1')
            .catch((e: unknown) => void (reason = inWords(e, timeouts, urls[variable]))),
          boundMs,
        );
        if (!answered) reason = `no answer within ${boundMs} ms`;
        const result = { database, variable, reachable: reason === undefined, reason };
        if (result.reachable) log.info({ database, variable }, `database ${database} (${variable}): reachable`);
        else log.warn({ database, variable, reason }, `database ${database} (${variable}) is unreachable: ${reason}. Starting anyway; its checks will say so until it answers`);
        return result;
      }),
    );
  } finally {
    await settlesWithin(Promise.all([bots.closeAll(), apps.closeAll()]), 1000);
  }
}

/** A failed connection in words a person acts on; the URL and its password are never in them. */
export function inWords(e: unknown, timeouts: DatabaseTimeouts, url?: string): string {
  const err = e as { code?: string; message?: string };
  switch (err?.code) {
    case 'ECONNREFUSED':
      return 'connection refused (nothing listens at that host and port)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
      return `no answer within ${timeouts.connectTimeoutMs} ms`;
    case 'ECONNRESET':
      return 'the server closed the connection';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to the host';
    case '28P01':
      return 'password authentication failed';
    case '28000':
      return 'the server refuses this role from here (pg_hba.conf), or the role cannot log in';
    case '3D000':
      return 'the database does not exist';
    case '57P03':
      return 'the server is starting up or shutting down';
    case '53300':
      return 'the server has no free connection slot';
  }
  const message = err?.message ?? String(e);
  if (/timeout|timed out/i.test(message)) return `no answer within ${timeouts.connectTimeoutMs} ms`;
  return withoutUrl(message, url);
}
