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
export function connectStateStore(url: string, extra: RedisOptions = {}): StateStore {
  const redis = new Redis(url, {
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
