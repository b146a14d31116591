import type { Socket } from 'node:net';
import { Client, Pool, type PoolClient } from 'pg';
import { connectionOptions, inWords, type ConnectionOptions, type ConnectionTarget } from '../../db/connection-options';
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
export function openVerifyDatabase(target: string | ConnectionTarget, o: { connectTimeoutMs: number; statementTimeoutMs: number; connections: number }): VerifyDatabase {
  const url = typeof target === 'string' ? target : target.url;
  const tls = typeof target === 'string' ? undefined : target.tls;
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  let closed = false;
  let made: Promise<{ pool: Pool; options: ConnectionOptions }> | undefined;
  const open = () => {
    if (closed) return Promise.reject(new Error('the verify connections are closed'));
    made ??= connectionOptions(
      { url, tls },
      { connectTimeoutMs: o.connectTimeoutMs, statementTimeoutMs: o.statementTimeoutMs, queryTimeoutMs: o.statementTimeoutMs + 5000, max: o.connections, idleTimeoutMillis: 30_000, applicationName: BOT_APPLICATION_NAME, options: SESSION.map((s) => `-c ${s}`).join(' ') },
    ).then(
      (options) => {
        const pool = new Pool(options.config);
        pool.on('error', () => undefined);
        pool.on('connect', (client) => {
          void client.query(`SET application_name = '${BOT_APPLICATION_NAME}'`).catch(() => undefined);
          const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
          sockets.add(socket);
          socket.once('close', () => {
            closedBytes += socket.bytesRead;
            sockets.delete(socket);
          });
        });
        return { pool, options };
      },
      (e: unknown) => {
        made = undefined;
        throw e;
      },
    );
    return made;
  };
  const running = new Set<number>();
  return {
    async query<R>(sql: string, params?: unknown[]) {
      const { pool, options } = await open();
      const client: PoolClient = await pool.connect().catch((e: unknown) => Promise.reject(inWords(e, options.tls)));
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
      let c: Client | undefined;
      try {
        c = new Client((await connectionOptions({ url, tls }, { connectTimeoutMs: o.connectTimeoutMs, applicationName: BOT_APPLICATION_NAME })).config);
        await c.connect();
        await c.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) pid', [[...running]]);
      } catch {
        // The statements still end at their statement timeout.
      } finally {
        await c?.end().catch(() => undefined);
      }
    },
    bytesRead: () => closedBytes + [...sockets].reduce((n, s) => n + s.bytesRead, 0),
    close: async () => {
      closed = true;
      const m = await made?.catch(() => undefined);
      await m?.pool.end();
    },
  };
}
