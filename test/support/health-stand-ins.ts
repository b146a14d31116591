import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer, readBody } from './local-http-server';

/** How a stand-in misbehaves: a status code, never answering, or garbage instead of JSON. */
export type Fault = { kind: 'status'; status: number; headers?: Record<string, string> } | { kind: 'hang' } | { kind: 'garbage' } | undefined;

abstract class JsonServer extends LocalHttpServer {
  fault: Fault;

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req)).toString('utf8');
    const f = this.fault;
    if (f?.kind === 'hang') return; // never answers; the client's timeout must fire
    if (f?.kind === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end('<html>Bad gateway</html>{');
    }
    if (f?.kind === 'status') {
      res.writeHead(f.status, { 'Content-Type': 'application/json', ...f.headers });
      return void res.end(JSON.stringify({ err: 1, message: `stand-in status ${f.status}` }));
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const [status, out] = this.answer(req.method ?? 'GET', url, req.headers, body ? JSON.parse(body) : undefined);
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(out));
  }

  protected abstract answer(method: string, url: URL, headers: IncomingMessage['headers'], body: unknown): [number, unknown];
}

/** Atlassian Statuspage v2, Heroku's status API or Slack's, answering with whatever the test sets. */
export class StatusPageStandIn extends JsonServer {
  constructor(
    readonly kind: 'statuspage' | 'heroku' | 'slack',
    public body: unknown,
  ) {
    super();
  }

  static statuspage(indicator: string, components: { name: string; status: string }[] = []) {
    return { page: { id: 'p', name: 'Example' }, status: { indicator, description: indicator === 'none' ? 'All Systems Operational' : `A ${indicator} incident` }, components, incidents: [] };
  }

  static heroku(apps: string, data = 'green', tools = 'green') {
    return { status: [{ system: 'Apps', status: apps }, { system: 'Data', status: data }, { system: 'Tools', status: tools }], incidents: [], scheduled: [] };
  }

  static slack(status: string, incidents: { title: string; type: string }[] = []) {
    return { status, date_created: '2026-11-25T10:00:00-08:00', date_updated: '2026-11-25T10:00:00-08:00', active_incidents: incidents };
  }

  protected answer(_method: string, url: URL): [number, unknown] {
    const path = { statuspage: '/api/v2/summary.json', heroku: '/api/v4/current-status', slack: '/api/v2.0.0/current' }[this.kind];
    return url.pathname === path ? [200, this.body] : [404, { error: `not here: ${url.pathname}` }];
  }
}

export interface DeployCall {
  method: string;
  path: string;
  body: Record<string, unknown>;
  token: string | undefined;
}

/** Rollbar's API: occurrence counts (minute and hour buckets), active items, deploys; checks the access token. */
export class RollbarStandIn extends JsonServer {
  readTokens = new Set(['rollbar-read-token']);
  writeTokens = new Set(['rollbar-write-token']);
  minuteCounts: [number, number][] = [];
  hourCounts: [number, number][] = [];
  criticalItems: { id: number; counter: number; title: string; level: string; first_occurrence_timestamp: number }[] = [];
  readonly deploys: DeployCall[] = [];
  readonly queries: URL[] = [];
  private nextDeploy = 1000;

  /** A steady error rate: `perMinute` in every minute bucket of the last hour and every hour bucket of the last day. */
  steady(perMinute: number, now = Date.now()): void {
    const nowS = Math.floor(now / 1000);
    const minute = nowS - (nowS % 60);
    const hour = nowS - (nowS % 3600);
    this.minuteCounts = Array.from({ length: 60 }, (_, i) => [minute - (59 - i) * 60, perMinute]);
    this.hourCounts = Array.from({ length: 24 }, (_, i) => [hour - (23 - i) * 3600, perMinute * 60]);
  }

  /** Counts `n` more occurrences now, in the current minute and hour buckets (an app reporting errors). */
  record(n: number, now = Date.now()): void {
    const nowS = Math.floor(now / 1000);
    const add = (buckets: [number, number][], size: number, keep: number) => {
      const start = nowS - (nowS % size);
      const last = buckets[buckets.length - 1];
      if (last?.[0] === start) last[1] += n;
      else buckets.push([start, n]);
      if (buckets.length > keep) buckets.splice(0, buckets.length - keep);
    };
    add(this.minuteCounts, 60, 60);
    add(this.hourCounts, 3600, 24);
  }

  /** The last `minutes` minute buckets carry `perMinute` errors instead. */
  spike(perMinute: number, minutes: number): void {
    for (let i = this.minuteCounts.length - minutes; i < this.minuteCounts.length; i++) this.minuteCounts[i] = [this.minuteCounts[i][0], perMinute];
  }

  protected answer(method: string, url: URL, headers: IncomingMessage['headers'], body: unknown): [number, unknown] {
    const token = headers['x-rollbar-access-token'] as string | undefined;
    if (url.pathname.startsWith('/api/1/deploy')) {
      if (!token || !this.writeTokens.has(token)) return [401, { err: 1, message: 'invalid access token' }];
      this.deploys.push({ method, path: url.pathname, body: body as Record<string, unknown>, token });
      return method === 'POST' ? [200, { data: { deploy_id: this.nextDeploy++ } }] : [200, { err: 0, result: {} }];
    }
    if (!token || !this.readTokens.has(token)) return [401, { err: 1, message: 'invalid access token' }];
    this.queries.push(url);
    if (url.pathname === '/api/1/reports/occurrence_counts') {
      const bucket = url.searchParams.get('bucket_size');
      return [200, { err: 0, result: bucket === '3600' ? this.hourCounts : this.minuteCounts }];
    }
    if (url.pathname === '/api/1/items/') return [200, { err: 0, result: { items: url.searchParams.get('level') === 'critical' ? this.criticalItems : [], page: 1, total_count: this.criticalItems.length } }];
    return [404, { err: 1, message: 'not found' }];
  }
}
