import { Client, type QueryConfig } from 'pg';
import { withoutUrl } from '../db/url-free-message';
import { connectionOptions, inWords, type ConnectionTarget } from '../db/connection-options';
import { BOT_APPLICATION_NAME } from '../db/database';
import type { BenchQuery } from '../plan/plan';

/** One connection of a bench: each run is timed on it, always inside a READ ONLY transaction. */
export interface BenchSession {
  /** Runs `query` once and answers how long the statement took, in milliseconds. */
  time(query: BenchQuery): Promise<number>;
}

/** PostgreSQL's SQLSTATE for "cannot execute … in a read-only transaction". */
export const READ_ONLY_REFUSAL = '25006';

/** A bench query's failure, with what PostgreSQL said and its SQLSTATE. */
export class BenchQueryError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Opens one short-lived connection for a bench (never one of the bot's pools, so a long bench does
 * not starve the gates), runs `work` on it and closes it. Every statement is under `statementTimeoutMs`;
 * the session is read-only by default and each run opens its own READ ONLY transaction besides.
 */
export async function withBenchSession<T>(target: ConnectionTarget, o: { connectTimeoutMs: number; statementTimeoutMs: number }, work: (s: BenchSession) => Promise<T>): Promise<T> {
  let client: Client | undefined;
  try {
    const options = await connectionOptions(target, {
      connectTimeoutMs: o.connectTimeoutMs,
      statementTimeoutMs: o.statementTimeoutMs,
      // The bot's own name: the writers check knows these sessions as the bot's.
      applicationName: BOT_APPLICATION_NAME,
      options: '-c default_transaction_read_only=on',
    });
    client = new Client(options.config);
    client.on('error', () => undefined);
    await client.connect().catch((e: unknown) => Promise.reject(inWords(e, options.tls)));
    const open = client;
    return await work({
      async time(query) {
        await open.query('BEGIN TRANSACTION READ ONLY');
        try {
          // A statement first takes the snapshot: the query itself can no longer SET TRANSACTION READ WRITE.
          await open.query('SELECT 1');
          const started = performance.now();
          // The extended protocol takes exactly one statement: no "…; COMMIT; DELETE …" out of the transaction.
          const extended = { text: query.sql, values: query.params, queryMode: 'extended' };
          await open.query(extended as QueryConfig);
          return performance.now() - started;
        } catch (e) {
          const code = (e as { code?: string }).code;
          throw new BenchQueryError(withoutUrl((e as Error).message, target.url), code);
        } finally {
          await open.query('ROLLBACK').catch(() => undefined);
        }
      },
    });
  } catch (e) {
    if (e instanceof BenchQueryError) throw e;
    // Not the caught error as cause: its fields (the connection's parameters) are not checked for the password.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(withoutUrl((e as Error).message, target.url));
  } finally {
    await client?.end().catch(() => undefined);
  }
}
