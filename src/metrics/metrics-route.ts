import { createHash, timingSafeEqual } from 'node:crypto';
import type { MainThreadRoute } from '../slack/ack-first-receiver';
import type { CutoverMetrics } from './metrics-registry';

/** Whether an Authorization header carries exactly this bearer token (compared in constant time). */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  if (!m) return false;
  const digest = (v: string) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(m[1].trim()), digest(token));
}

/**
 * GET /metrics: Prometheus text. With a token configured (METRICS_TOKEN), only a request
 * bearing it gets the metrics; any other gets 401 and nothing else.
 */
export function metricsRoute(metrics: CutoverMetrics, token: string | undefined): MainThreadRoute {
  return {
    path: '/metrics',
    async answer(request) {
      if (token && !bearerMatches(request?.authorization, token)) return { status: 401, body: 'unauthorized: send Authorization: Bearer <METRICS_TOKEN>\n', contentType: 'text/plain; charset=utf-8' };
      const { contentType, text } = await metrics.exposition();
      return { status: 200, body: text, contentType };
    },
  };
}
