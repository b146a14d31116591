import { Client } from 'pg';
import { withoutUrl } from '../../db/url-free-message';
import { connectionOptions, inWords, type ConnectionTarget } from '../../db/connection-options';
import type { DatabaseTimeouts, Queryable } from '../../db/database';
import type { Transport } from '../../db/tls-options';

/** One connection as the role a URL names: who it is, and whether it is a superuser. */
export interface RoleSession extends Queryable {
  role: string;
  superuser: boolean;
  /** Plain, encrypted, or encrypted and verified. */
  transport: Transport;
  close(): Promise<void>;
}

/**
 * Connects once with `url`, bounded by the plan's connect and statement timeouts, and says who it
 * is. Throws an error whose message never carries the URL or its password.
 */
export async function openRoleSession(target: string | ConnectionTarget, timeouts: DatabaseTimeouts): Promise<RoleSession> {
  const url = typeof target === 'string' ? target : target.url;
  let client: Client | undefined;
  try {
    const options = await connectionOptions(target, { ...timeouts, applicationName: 'cutover preflight' });
    client = new Client(options.config);
    // A server that drops the connection later must not crash the process.
    client.on('error', () => undefined);
    await client.connect().catch((e: unknown) => Promise.reject(inWords(e, options.tls)));
    const open = client;
    const { rows } = await open.query<{ role: string; superuser: boolean }>('SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user');
    return {
      role: rows[0].role,
      superuser: rows[0].superuser,
      transport: options.transport,
      query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await open.query(sql, params)).rows as R[] }),
      close: () => open.end().catch(() => undefined),
    };
  } catch (e) {
    await client?.end().catch(() => undefined);
    // Not chained: the original error may carry the URL into a log line.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(safeMessage(e, url));
  }
}

/** An error's message without the URL, its password or its user:password part. */
export function safeMessage(e: unknown, url: string): string {
  return withoutUrl((e as Error).message || String(e), url);
}
