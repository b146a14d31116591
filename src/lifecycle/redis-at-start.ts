import { redisTlsErrorInWords, untilReady, type StateStore } from '../state/state-store';

/**
 * Waits until Redis is ready, at most `timeoutMs`, and says why not when it is not: the last
 * connection error ioredis reported, in words ("connection refused"), or that it did not answer.
 */
export async function redisAtStart(redis: StateStore, timeoutMs: number): Promise<{ reachable: true } | { reachable: false; reason: string }> {
  if (redis.status === 'ready') return { reachable: true };
  let last: (Error & { code?: string }) | undefined;
  const onError = (e: Error) => (last = e);
  redis.on('error', onError);
  try {
    const ready = await untilReady(redis, timeoutMs);
    return ready ? { reachable: true } : { reachable: false, reason: redisErrorInWords(last, timeoutMs) };
  } finally {
    redis.off('error', onError);
  }
}

function redisErrorInWords(e: (Error & { code?: string }) | undefined, timeoutMs: number): string {
  if (!e) return `no answer within ${timeoutMs} ms`;
  const tls = redisTlsErrorInWords(e);
  if (tls) return tls;
  if (e.code === 'ECONNREFUSED') return 'connection refused (nothing listens at that host and port)';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (e.code === 'ETIMEDOUT' || /timeout/i.test(e.message)) return `no answer within ${timeoutMs} ms`;
  if (/NOAUTH|WRONGPASS|invalid password/i.test(e.message)) return 'Redis refused the password in REDIS_URL';
  return e.code ?? e.message;
}
