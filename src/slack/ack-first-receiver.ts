import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { App, Receiver } from '@slack/bolt';
import type { Logger } from '../log';
import type { AckWorkerOptions, FromAckWorker, ToAckWorker } from './ack-worker-messages';

/** A GET route answered by the main thread, e.g. /healthz. */
export interface MainThreadRoute {
  path: string;
  /** `body` is sent as JSON, or as it is when `contentType` is given (a string, e.g. /metrics' text). */
  answer(request?: RouteRequest): Promise<{ status: number; body: unknown; contentType?: string }>;
}

/** What a route may read of its request. */
export interface RouteRequest {
  authorization?: string;
}

export interface AckFirstReceiverOptions {
  signingSecret: string;
  endpoint: string;
  routes: MainThreadRoute[];
  log: Logger;
  /** Without a heartbeat from this thread for this long, the worker refuses requests instead of acknowledging them. */
  stallMs?: number;
  heartbeatMs?: number;
  /** Largest request body in bytes (1 MiB by default); a larger one gets 413 and is never buffered. */
  bodyLimit?: number;
}

/**
 * Bolt's receiver for HTTP mode, split over two threads. A worker thread owns the HTTP server:
 * it checks Slack's signature and acknowledges at once; this thread gets the verified request
 * and runs it through Bolt (whose `ack` is then a no-op). An acknowledgement therefore never
 * waits for the bot's own work or its garbage collections. If this thread stops answering the
 * worker, requests are refused loudly instead of acknowledged and lost.
 */
export class AckFirstReceiver implements Receiver {
  private app?: App;
  private worker?: Worker;
  private heartbeat?: NodeJS.Timeout;
  private stopping = false;
  private boundPort = 0;

  constructor(private readonly opts: AckFirstReceiverOptions) {}

  get port(): number {
    return this.boundPort;
  }

  init(app: App): void {
    this.app = app;
  }

  async start(port: number, host?: string): Promise<number> {
    this.stopping = false;
    this.boundPort = await this.spawn(port, host);
    this.heartbeat = setInterval(() => this.post({ kind: 'heartbeat' }), this.opts.heartbeatMs ?? 250);
    this.heartbeat.unref();
    return this.boundPort;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    this.post({ kind: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
    this.worker = undefined;
  }

  /** Listeners still call `ack()`; the worker has answered Slack by then, so a body given here would be lost. */
  private readonly alreadyAcknowledged = async (body?: unknown): Promise<void> => {
    if (body !== undefined) this.opts.log.error({ body }, 'a listener acknowledged with a body, which Slack never sees here: answer through response_url');
  };

  private post(message: ToAckWorker): void {
    this.worker?.postMessage(message);
  }

  private spawn(port: number, host?: string): Promise<number> {
    const options: AckWorkerOptions = {
      port,
      host,
      signingSecret: this.opts.signingSecret,
      endpoint: this.opts.endpoint,
      routes: this.opts.routes.map((r) => r.path),
      routeTimeoutMs: 5000,
      stallMs: this.opts.stallMs ?? 2000,
      bodyLimit: this.opts.bodyLimit,
    };
    const worker = startWorker(options);
    this.worker = worker;
    let listening = false;
    return new Promise((resolve, reject) => {
      worker.on('message', (m: FromAckWorker) => {
        if (m.kind === 'listening') {
          listening = true;
          resolve(m.port);
        } else if (m.kind === 'failed') reject(new Error(`the Slack receiver could not listen on port ${port}: ${m.reason}`));
        else this.onMessage(m);
      });
      worker.once('error', (e) => {
        this.opts.log.error({ err: e }, 'the Slack receiver thread failed');
        reject(e);
      });
      worker.once('exit', (code) => {
        if (!listening) reject(new Error(`the Slack receiver thread exited (code ${code}) before listening`));
        if (this.stopping || this.worker !== worker || !listening) return;
        // Without it no command reaches the bot: say so and bring it back on the same port.
        this.opts.log.error({ code }, 'the Slack receiver thread stopped; starting it again');
        setTimeout(() => {
          if (!this.stopping) this.spawn(this.boundPort, host).catch((e) => this.opts.log.error({ err: e }, 'could not restart the Slack receiver thread'));
        }, 1000).unref();
      });
    });
  }

  private onMessage(m: FromAckWorker): void {
    if (m.kind === 'event') {
      if (!this.app) return;
      this.app
        .processEvent({ body: m.body, retryNum: m.retryNum, retryReason: m.retryReason, customProperties: {}, ack: this.alreadyAcknowledged })
        .catch((e) => this.opts.log.error({ err: e }, 'a Slack request failed in the bot'));
    } else if (m.kind === 'refused') {
      this.opts.log.warn({ reason: m.reason, status: m.status }, 'refused a request to the Slack endpoint');
    } else if (m.kind === 'route') {
      const route = this.opts.routes.find((r) => r.path === m.path);
      const reply = (status: number, body: unknown, contentType?: string) =>
        this.post({ kind: 'route-reply', id: m.id, status, contentType: contentType ?? 'application/json', body: contentType ? String(body) : JSON.stringify(body) });
      if (!route) return reply(404, { ok: false });
      route.answer({ authorization: m.authorization }).then(
        (a) => reply(a.status, a.body, a.contentType),
        (e) => reply(500, { ok: false, error: (e as Error).message }),
      );
    }
  }
}

/** The worker runs compiled JavaScript in production; from the TypeScript sources (tests, `npm run dev`) through tsx. */
function startWorker(workerData: AckWorkerOptions): Worker {
  if (__filename.endsWith('.js')) return new Worker(join(__dirname, 'ack-worker.js'), { workerData });
  const tsx = require.resolve('tsx/cjs');
  const source = join(__dirname, 'ack-worker.ts');
  return new Worker(`require(${JSON.stringify(tsx)}); require(${JSON.stringify(source)});`, { eval: true, workerData });
}
