import { readFileSync } from 'node:fs';
import Redis, { type RedisOptions } from 'ioredis';

/** Raised whenever Redis cannot answer; callers show "state store unavailable", never a fake success. */
export class StateStoreUnavailable extends Error {
  constructor(cause?: unknown) {
    super(`state store unavailable${cause instanceof Error ? `: ${cause.message}` : ''}`);
    this.name = 'StateStoreUnavailable';
  }
}

export type StateStore = Redis;

/**
 * Connects to Redis so that an outage is answered fast instead of queued:
 * no offline queue, one retry, a command timeout, and endless reconnects in the background.
 * Commands issued in the same tick go out in one write (auto-pipelining): under a burst of slash
 * commands that is one syscall instead of one per command.
 */
export function connectStateStore(url: string, extra: RedisOptions = {}, tls?: RedisTls): StateStore {
  const overriding = redisUrlOptions(url);
  if (overriding.length) throw new Error(redisUrlOptionsInWords(overriding));
  const redis = new Redis(url, {
    ...redisTlsOptions(url, tls),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1500,
    connectTimeout: 1500,
    retryStrategy: (times) => Math.min(200 * times, 2000),
    lazyConnect: false,
    enableAutoPipelining: true,
    ...extra,
  });
  // ioredis emits 'error' on every failed reconnect; callers learn of an outage from their commands.
  redis.on('error', () => undefined);
  return redis;
}

/** Query parameters of a Redis URL that change nothing the bot relies on: the database number, the IP family. */
const HARMLESS_URL_OPTIONS = new Set(['db', 'family']);

/**
 * The connection options a Redis URL sets in its query string (`?enableOfflineQueue=true`). ioredis
 * lets them win over the options given beside the URL, so one of them could quietly turn off the
 * fail-fast settings above: commands queued through an outage instead of answered at once.
 */
export function redisUrlOptions(url: string): string[] {
  const query = url.indexOf('?');
  if (query < 0) return [];
  return [...new URLSearchParams(url.slice(query + 1)).keys()].filter((k) => !HARMLESS_URL_OPTIONS.has(k));
}

export function redisUrlOptionsInWords(names: string[]): string {
  return `sets connection options in its query string (${names.join(', ')}), which would override the bot's own (fail fast while Redis is away): remove them; TLS is set with rediss:// and REDIS_CA_FILE / REDIS_TLS_REJECT_UNAUTHORIZED`;
}

/** Waits until the connection is ready, at most `timeoutMs`; false if it is not (the bot starts anyway and reports the outage). */
export async function untilReady(redis: StateStore, timeoutMs = 5000): Promise<boolean> {
  if (redis.status === 'ready') return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const onReady = () => done(true);
    function done(ok: boolean) {
      clearTimeout(timer);
      redis.off('ready', onReady);
      resolve(ok);
    }
    redis.on('ready', onReady);
  });
}

/** Runs a Redis operation and turns any connection-level failure into StateStoreUnavailable. */
export async function inStore<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    if (e instanceof StateStoreUnavailable) throw e;
    if (isConnectionError(e)) throw new StateStoreUnavailable(e);
    throw e;
  }
}

function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const m = e.message;
  return (
    /Stream isn't writeable|Connection is closed|Command timed out|ECONNREFUSED|ECONNRESET|EPIPE|Reached the max retries|connect ETIMEDOUT|LOADING|enableOfflineQueue/i.test(m) ||
    e.name === 'MaxRetriesPerRequestError'
  );
}

/** True when Redis answers PING within the timeout. */
export async function stateStoreAnswers(redis: StateStore, timeoutMs = 1000): Promise<boolean> {
  try {
    const pong = await Promise.race([
      redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('ping timeout')), timeoutMs).unref()),
    ]);
    return pong === 'PONG';
  } catch {
    return false;
  }
}

/**
 * TLS to Redis (a rediss:// URL). Verified against the system's CAs by default; `caFile` verifies
 * against that bundle instead; `rejectUnauthorized: false` encrypts without verifying (Heroku Redis
 * presents a self-signed certificate: REDIS_TLS_REJECT_UNAUTHORIZED=false).
 */
export interface RedisTls {
  rejectUnauthorized: boolean;
  caFile?: string;
}

/** ioredis's `tls` option for the URL: none for redis:// (ioredis would otherwise speak TLS to it). */
export function redisTlsOptions(url: string, tls: RedisTls | undefined): RedisOptions {
  if (!/^rediss:\/\//i.test(url) || !tls) return {};
  return { tls: { rejectUnauthorized: tls.rejectUnauthorized, ...(tls.caFile ? { ca: readFileSync(tls.caFile, 'utf8') } : {}) } };
}

const UNTRUSTED = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED']);

/** A Redis connection error in words when TLS is its cause, naming the setting that fixes it; else undefined. */
export function redisTlsErrorInWords(e: unknown): string | undefined {
  const code = (e as { code?: string } | undefined)?.code;
  if (code && UNTRUSTED.has(code)) {
    return "Redis's TLS certificate is not signed by a CA the bot trusts: set REDIS_CA_FILE to its CA, or REDIS_TLS_REJECT_UNAUTHORIZED=false for Heroku Redis's self-signed certificate";
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return "Redis's host name does not match its TLS certificate";
  if (code === 'CERT_HAS_EXPIRED') return "Redis's TLS certificate has expired";
  return undefined;
}
