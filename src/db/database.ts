import { Pool } from 'pg';

/** The one call the checks make on a database: each check takes this narrow port, not a pool. */
export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface DatabaseTimeouts {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
}

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
    connectionString: url,
    max: 3,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    // The client-side limit catches a server that stops answering altogether.
    query_timeout: timeouts.statementTimeoutMs + 1000,
    idleTimeoutMillis: 30_000,
    application_name: 'cutover',
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
