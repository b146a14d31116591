import type { Socket } from 'node:net';
import { Client, Pool, type PoolClient } from 'pg';
import { BOT_APPLICATION_NAME, type Queryable } from '../../db/database';

/** A database as the full verify uses it: its own connections, cancellable, counting what they read. */
export interface VerifyDatabase extends Queryable {
  /** Cancels every statement running now (pg_cancel_backend on the verify's own sessions). */
  cancelRunning(): Promise<void>;
  /** Bytes read from the server so far. */
  bytesRead(): number;
  close(): Promise<void>;
}

// Fixed settings make every value print and hash the same way on both servers; read-only is a safety belt.
const SESSION = ['TimeZone=UTC', 'DateStyle=ISO,YMD', 'IntervalStyle=postgres', 'extra_float_digits=1', 'bytea_output=hex', 'jit=off', 'default_transaction_read_only=on'];

/**
 * Opens `connections` sessions at most to one database for the full verify, each statement under
 * `statementTimeoutMs` (longer than the bot's usual limit: a segment reads many rows).
 */
export function openVerifyDatabase(url: string, o: { connectTimeoutMs: number; statementTimeoutMs: number; connections: number }): VerifyDatabase {
  const pool = new Pool({
    connectionString: url,
    max: o.connections,
    connectionTimeoutMillis: o.connectTimeoutMs,
    statement_timeout: o.statementTimeoutMs,
    query_timeout: o.statementTimeoutMs + 5000,
    idleTimeoutMillis: 30_000,
    application_name: BOT_APPLICATION_NAME,
    options: SESSION.map((s) => `-c ${s}`).join(' '),
  });
  pool.on('error', () => undefined);
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  pool.on('connect', (client) => {
    void client.query(`SET application_name = '${BOT_APPLICATION_NAME}'`).catch(() => undefined);
    const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
    sockets.add(socket);
    socket.once('close', () => {
      closedBytes += socket.bytesRead;
      sockets.delete(socket);
    });
  });
  const running = new Set<number>();
  return {
    async query<R>(sql: string, params?: unknown[]) {
      const client: PoolClient = await pool.connect();
      const pid = (client as unknown as { processID: number }).processID;
      running.add(pid);
      try {
        const res = await client.query(sql, params);
        return { rows: res.rows as R[] };
      } finally {
        running.delete(pid);
        client.release();
      }
    },
    async cancelRunning() {
      if (!running.size) return;
      const c = new Client({ connectionString: url, connectionTimeoutMillis: o.connectTimeoutMs, application_name: BOT_APPLICATION_NAME });
      try {
        await c.connect();
        await c.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) pid', [[...running]]);
      } catch {
        // The statements still end at their statement timeout.
      } finally {
        await c.end().catch(() => undefined);
      }
    },
    bytesRead: () => closedBytes + [...sockets].reduce((n, s) => n + s.bytesRead, 0),
    close: () => pool.end(),
  };
}
