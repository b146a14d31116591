import type { CustomRoute } from '@slack/bolt';
import { stateStoreAnswers, type StateStore } from '../state/state-store';
import type { MainThreadRoute } from './ack-first-receiver';

/** GET /healthz: 200 when Redis answers, 503 otherwise; JSON either way, saying whether this process runs the jobs. */
export function healthz(redis: StateStore, processId: string, leading: () => boolean): MainThreadRoute {
  return {
    path: '/healthz',
    async answer() {
      const ok = await stateStoreAnswers(redis);
      return { status: ok ? 200 : 503, body: { ok, redis: ok ? 'ok' : 'unavailable', process: processId, runsJobs: leading() } };
    },
  };
}

/** The same answer as a Bolt custom route, for Socket Mode's HTTP server. */
export function asCustomRoute(route: MainThreadRoute): CustomRoute {
  return {
    path: route.path,
    method: ['GET'],
    handler: (req, res) => {
      void route.answer({ authorization: req.headers.authorization }).then(({ status, body, contentType }) => {
        res.writeHead(status, { 'Content-Type': contentType ?? 'application/json' });
        res.end(contentType ? String(body) : JSON.stringify(body));
      });
    },
  };
}
