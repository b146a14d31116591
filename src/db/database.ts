import { Pool } from 'pg';
import { connectionOptions, inWords, type ConnectionOptions, type ConnectionTarget } from './connection-options';
import type { Transport } from './tls-options';

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
  /** What the pool's connections are (plain, encrypted, verified); undefined before the first one. */
  transport?(): Transport | undefined;
  close(): Promise<void>;
}

/**
 * A small pool to one database with connect and statement timeouts, so a slow or unreachable
 * database gives an error quickly (reported as "unknown"), never a hang. The pool is made on first
 * use (its TLS may need one look at the server); a connection error caused by TLS is said in words.
 */
export function openDatabase(target: string | ConnectionTarget, timeouts: DatabaseTimeouts = DEFAULT_DB_TIMEOUTS): Database {
  const { url, tls } = typeof target === 'string' ? { url: target, tls: undefined } : target;
  let made: Promise<{ pool: Pool; options: ConnectionOptions }> | undefined;
  let transport: Transport | undefined;
  let closed = false;
  const open = () => {
    if (closed) return Promise.reject(new Error('the database connection is closed'));
    made ??= connectionOptions(
      { url: withBotApplicationName(url), tls },
      { connectTimeoutMs: timeouts.connectTimeoutMs, statementTimeoutMs: timeouts.statementTimeoutMs, max: 3, idleTimeoutMillis: 30_000, applicationName: BOT_APPLICATION_NAME },
    ).then(
      (options) => {
        const pool = new Pool(options.config);
        // An idle connection dropped by a restarting server must not crash the process.
        pool.on('error', () => undefined);
        pool.on('connect', () => (transport = options.transport));
        return { pool, options };
      },
      (e: unknown) => {
        made = undefined; // an unreachable server is asked again next time
        throw e;
      },
    );
    return made;
  };
  const inWordsFor = (e: unknown, options?: ConnectionOptions) => (options ? inWords(e, options.tls) : e);
  return {
    query: async <R>(sql: string, params?: unknown[]) => {
      const { pool, options } = await open();
      try {
        const res = await pool.query(sql, params as unknown[]);
        return { rows: res.rows as R[] };
      } catch (e) {
        throw inWordsFor(e, options);
      }
    },
    transaction: async (statements) => {
      const { pool, options } = await open();
      const client = await pool.connect().catch((e: unknown) => Promise.reject(inWordsFor(e, options)));
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
    transport: () => transport,
    close: async () => {
      closed = true;
      const m = await made?.catch(() => undefined);
      await m?.pool.end();
    },
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
