import { Pool } from 'pg';

/** The one call the checks make on a database: each check takes this narrow port, not a pool. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

/**
 * The application_name on every connection the bot opens: the writers check tells the bot's own
 * sessions (of every bot process) from a stray writer by it, together with the bot's role.
 */
export const BOT_APPLICATION_NAME = 'cutover-bot';

export const DEFAULT_DB_TIMEOUTS: DatabaseTimeouts = { connectTimeoutMs: 3000, statementTimeoutMs: 5000 };

export interface Database extends Queryable {
  /** Runs the statements in one transaction on one connection: all or nothing. A statement may carry bind values. */
  transaction(statements: (string | { text: string; values: unknown[] })[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A small pool to one database with connect and statement timeouts, so a slow or unreachable
 * database gives an error quickly (reported as "unknown"), never a hang.
 */
export function openDatabase(url: string, timeouts: DatabaseTimeouts = DEFAULT_DB_TIMEOUTS): Database {
  const pool = new Pool({
    connectionString: withBotApplicationName(url),
    max: 3,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    // The client-side limit catches a server that stops answering altogether.
    query_timeout: timeouts.statementTimeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    application_name: BOT_APPLICATION_NAME,
  });
  // An idle connection dropped by a restarting server must not crash the process.
  pool.on('error', () => undefined);
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const res = await pool.query(sql, params as unknown[]);
      return { rows: res.rows as R[] };
    },
    transaction: async (statements) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        for (const sql of statements) await (typeof sql === 'string' ? client.query(sql) : client.query(sql.text, sql.values));
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Quotes an identifier for SQL (schema, table, sequence names): never paste a name unquoted. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes a string literal for SQL. */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * The URL with the bot's application_name in place of one it carries: node-postgres lets the URL's
 * win over the config's, and then the bot's sessions would look like stray writers (or, were it the
 * app's URL too, the app's sessions like the bot's).
 */
export function withBotApplicationName(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q) + url.slice(q).replace(/([?&])application_name=[^&]*/g, `$1application_name=${BOT_APPLICATION_NAME}`);
}
