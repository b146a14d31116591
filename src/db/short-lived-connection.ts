import { Client } from 'pg';
import { withoutUrl } from './url-free-message';
import { connectionOptions, inWords, type ConnectionTarget } from './connection-options';
import type { DatabaseTimeouts, Queryable } from './database';

/**
 * Opens one connection to `url` with the plan's timeouts, runs `work` on it and closes it. An error
 * never carries the URL or its password (a check of someone else's role must not leak it).
 */
export async function withConnection<T>(target: string | ConnectionTarget, timeouts: DatabaseTimeouts, applicationName: string, work: (db: Queryable) => Promise<T>): Promise<T> {
  const url = typeof target === 'string' ? target : target.url;
  let client: Client | undefined;
  try {
    const options = await connectionOptions(target, { ...timeouts, applicationName });
    client = new Client(options.config);
    // A connection dropped while open must not crash the process; the query in flight fails instead.
    client.on('error', () => undefined);
    await client.connect().catch((e: unknown) => Promise.reject(inWords(e, options.tls)));
    const open = client;
    return await work({ query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await open.query(sql, params as unknown[])).rows as R[] }) });
  } catch (e) {
    // Not the caught error as cause: its fields (a connection's parameters among them) are not checked for the password.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(withoutUrl((e as Error).message, url));
  } finally {
    await client?.end().catch(() => undefined);
  }
}
