import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer, readBody } from './local-http-server';

export interface HerokuCall {
  method: string;
  path: string;
  body: unknown;
}

/**
 * The Heroku Platform API for one app: maintenance mode, formation, config vars and add-on
 * attachments, with Heroku's rule that a variable owned by an attachment cannot be overwritten.
 */
export class HerokuStandIn extends LocalHttpServer {
  readonly calls: HerokuCall[] = [];
  maintenance = false;
  formation = [
    { type: 'web', quantity: 3, size: 'standard-2x' },
    { type: 'worker', quantity: 2, size: 'standard-1x' },
    { type: 'release', quantity: 0, size: 'standard-1x' },
  ];
  configVars: Record<string, string> = {};
  attachments: { id: string; name: string; addon: { id: string; name: string }; url: string }[] = [];
  /** Requests whose path matches never get an answer (to kill the bot mid-step). */
  hang?: RegExp;
  /** Requests whose path matches get this instead: an error status, or garbage instead of JSON. */
  fault?: { match: RegExp; status: number; garbage?: boolean };
  /** Requests whose path matches are answered only after this delay. */
  delay?: { match: RegExp; ms: number };
  /**
   * The `call`-th request from now (1-based) is the last one the caller hears nothing of: with
   * `applied` Heroku does it and the connection drops before the answer (the bot crashed while
   * waiting), without it Heroku fails it with a 503 and changes nothing.
   */
  interrupt?: { call: number; applied: boolean };
  private seen = 0;
  private next = 1;

  constructor(
    readonly app: string,
    readonly token: string,
  ) {
    super();
  }

  /** The app's DATABASE_URL as Heroku Postgres sets it: owned by the DATABASE attachment. */
  attachDatabase(url: string): void {
    this.attachments.push({ id: 'att-database', name: 'DATABASE', addon: { id: 'addon-pg', name: 'postgresql-curved-12345' }, url });
    this.configVars.DATABASE_URL = url;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString('utf8');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = raw ? JSON.parse(raw) : undefined;
    this.calls.push({ method: req.method ?? '', path, body });
    if (this.hang?.test(`${req.method} ${path}`)) return;
    const wait = this.delay?.match.test(`${req.method} ${path}`) ? this.delay.ms : 0;
    if (this.fault?.match.test(`${req.method} ${path}`)) {
      res.writeHead(this.fault.status, { 'Content-Type': 'application/json' });
      return void res.end(this.fault.garbage ? '<html>Application error</html>' : JSON.stringify({ id: 'internal_server_error', message: 'Internal server error.' }));
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, { id: 'unauthorized', message: 'Invalid credentials provided.' });
    if (req.headers.accept !== 'application/vnd.heroku+json; version=3') return send(400, { id: 'bad_request', message: 'Accept header must be version 3' });
    this.seen++;
    if (this.interrupt && this.seen === this.interrupt.call) {
      if (!this.interrupt.applied) return send(503, { id: 'service_unavailable', message: 'Service unavailable.' });
      this.answer(req.method ?? 'GET', path, body);
      return void res.socket?.destroy();
    }
    const [status, out] = this.answer(req.method ?? 'GET', path, body);
    setTimeout(() => send(status, out), wait);
  }

  // The request bodies are the API's JSON, as the bot sends it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private answer(method: string, path: string, body: any): [number, unknown] {
    const app = `/apps/${this.app}`;
    if (method === 'PATCH' && path === app) {
      this.maintenance = Boolean(body.maintenance);
      return [200, { name: this.app, maintenance: this.maintenance }];
    }
    if (path === `${app}/formation`) {
      if (method === 'PATCH') {
        for (const u of body.updates as { type: string; quantity: number }[]) {
          const f = this.formation.find((x) => x.type === u.type);
          if (!f) return [404, { id: 'not_found', message: `Couldn't find that process type (${u.type}).` }];
          f.quantity = u.quantity;
        }
      }
      return [200, this.formation.map((f) => ({ ...f, app: { name: this.app } }))];
    }
    if (path === `${app}/config-vars`) {
      if (method === 'PATCH') {
        for (const k of Object.keys(body)) {
          if (this.attachments.some((a) => `${a.name}_URL` === k)) return [422, { id: 'invalid_params', message: `Cannot overwrite attachment values ${k}.` }];
        }
        for (const [k, v] of Object.entries(body as Record<string, string | null>)) {
          if (v === null) delete this.configVars[k];
          else this.configVars[k] = v;
        }
      }
      return [200, this.configVars];
    }
    if (method === 'GET' && path === `${app}/addon-attachments`) return [200, this.attachments.map(({ url: _u, ...a }) => a)];
    if (method === 'POST' && path === '/addon-attachments') {
      const source = this.attachments.find((a) => a.addon.id === body.addon);
      if (!source) return [404, { id: 'not_found', message: 'Add-on not found' }];
      // One name per app: Heroku refuses a second attachment under a name in use.
      if (this.attachments.some((a) => a.name === body.name)) return [422, { id: 'invalid_params', message: 'Name is already taken' }];
      const att = { id: `att-${this.next++}`, name: body.name as string, addon: source.addon, url: source.url };
      this.attachments.push(att);
      this.configVars[`${att.name}_URL`] = att.url;
      return [201, { id: att.id, name: att.name, addon: att.addon }];
    }
    if (method === 'DELETE' && path.startsWith('/addon-attachments/')) {
      const id = decodeURIComponent(path.slice('/addon-attachments/'.length));
      const att = this.attachments.find((a) => a.id === id);
      if (!att) return [404, { id: 'not_found', message: 'Attachment not found' }];
      this.attachments = this.attachments.filter((a) => a.id !== id);
      delete this.configVars[`${att.name}_URL`];
      return [200, { id: att.id, name: att.name, addon: att.addon }];
    }
    return [404, { id: 'not_found', message: `${method} ${path}` }];
  }

  /** Counts requests from here on, for `interrupt`. */
  interruptAt(call: number, applied: boolean): void {
    this.seen = 0;
    this.interrupt = { call, applied };
  }

  scaleOf(type: string): number | undefined {
    return this.formation.find((f) => f.type === type)?.quantity;
  }
}
