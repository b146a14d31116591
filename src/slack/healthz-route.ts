import type { CustomRoute } from '@slack/bolt';
import { stateStoreAnswers, type StateStore } from '../state/state-store';

/** GET /healthz: 200 when Redis answers, 503 otherwise; JSON either way, saying whether this process runs the jobs. */
export function healthzRoute(redis: StateStore, processId: string, leading: () => boolean): CustomRoute {
  return {
    path: '/healthz',
    method: ['GET'],
    handler: (_req, res) => {
      void stateStoreAnswers(redis).then((ok) => {
        res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ok, redis: ok ? 'ok' : 'unavailable', process: processId, runsJobs: leading() }));
      });
    },
  };
}
