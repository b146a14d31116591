import type { PoolConfig } from 'pg';
import type { DatabaseTls } from '../plan/plan';
import { resolveTls, serverOffersTls, tlsErrorInWords, tlsSocketOptions, type ResolvedTls, type Transport } from './tls-options';

/** Where to connect: a URL and the plan's TLS for that database (the bot's URL and the app's share it). */
export interface ConnectionTarget {
  url: string;
  tls?: DatabaseTls;
}

/** What a connection is for: its timeouts and name, and for a pool its size. */
export interface ConnectionUse {
  connectTimeoutMs: number;
  statementTimeoutMs?: number;
  /** The client-side limit that catches a server that stops answering altogether; default statement timeout + 1 s. */
  queryTimeoutMs?: number;
  applicationName: string;
  options?: string;
  max?: number;
  idleTimeoutMillis?: number;
}

/** node-postgres options for one database, and what the connection will be (plain, encrypted, verified). */
export interface ConnectionOptions {
  config: PoolConfig;
  tls: ResolvedTls;
  transport: Transport;
}

/**
 * The one place every pg client and pool of the bot gets its options: URL, TLS with libpq's meaning,
 * timeouts. "prefer" asks the server first whether it offers TLS and goes plain when it does not.
 */
export async function connectionOptions(target: ConnectionTarget | string, use: ConnectionUse): Promise<ConnectionOptions> {
  const { url, tls: planTls } = typeof target === 'string' ? { url: target, tls: undefined } : target;
  const { url: stripped, tls } = resolveTls(url, planTls);
  let { ssl, transport } = tlsSocketOptions(tls);
  if (tls.mode === 'prefer' && !(await serverOffersTls(stripped, use.connectTimeoutMs))) ({ ssl, transport } = { ssl: false, transport: 'plain' });
  const config: PoolConfig = {
    connectionString: stripped,
    ssl,
    connectionTimeoutMillis: use.connectTimeoutMs,
    application_name: use.applicationName,
    ...(use.statementTimeoutMs !== undefined ? { statement_timeout: use.statementTimeoutMs, query_timeout: use.queryTimeoutMs ?? use.statementTimeoutMs + 1000 } : {}),
    ...(use.options ? { options: use.options } : {}),
    ...(use.max ? { max: use.max } : {}),
    ...(use.idleTimeoutMillis ? { idleTimeoutMillis: use.idleTimeoutMillis } : {}),
  };
  return { config, tls, transport };
}

/** The error to show for a failed connection or query: TLS causes in words, anything else unchanged. */
export function inWords(e: unknown, tls: ResolvedTls): unknown {
  const words = tlsErrorInWords(e, tls);
  return words ? new Error(words) : e;
}
