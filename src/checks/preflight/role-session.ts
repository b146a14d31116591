import { Client } from 'pg';
import type { DatabaseTimeouts, Queryable } from '../../db/database';
import { redactText } from '../../redaction';

/** One connection as the role a URL names: who it is, and whether it is a superuser. */
export interface RoleSession extends Queryable {
  role: string;
  superuser: boolean;
  close(): Promise<void>;
}

/**
 * Connects once with `url`, bounded by the plan's connect and statement timeouts, and says who it
 * is. Throws an error whose message never carries the URL or its password.
 */
export async function openRoleSession(url: string, timeouts: DatabaseTimeouts): Promise<RoleSession> {
  const client = new Client({
    connectionString: url,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    query_timeout: timeouts.statementTimeoutMs + 1000,
    application_name: 'cutover preflight',
  });
  // A server that drops the connection later must not crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ role: string; superuser: boolean }>('SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user');
    return {
      role: rows[0].role,
      superuser: rows[0].superuser,
      query: async <R>(sql: string, params?: unknown[]) => ({ rows: (await client.query(sql, params)).rows as R[] }),
      close: () => client.end().catch(() => undefined),
    };
  } catch (e) {
    await client.end().catch(() => undefined);
    // Not chained: the original error may carry the URL into a log line.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(safeMessage(e, url));
  }
}

/** An error's message without the URL, its password or its user:password part. */
export function safeMessage(e: unknown, url: string): string {
  let text = (e as Error).message || String(e);
  text = text.split(url).join('[the URL]');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) text = text.split(password).join('[redacted]');
  } catch {
    // Not a URL node can parse: nothing more to take out than the whole of it.
  }
  return redactText(text);
}
