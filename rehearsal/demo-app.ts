import { Client } from 'pg';
import type { HerokuStandIn } from '../test/support/heroku-stand-in';
import type { RollbarStandIn } from '../test/support/health-stand-ins';

export interface DemoAppStatus {
  /** Which database DATABASE_URL names (by the rehearsal's labels), or the URL's host:port. */
  database: string;
  state: 'writing' | 'maintenance' | 'scaled to 0' | 'failing';
  writes: number;
  errors: number;
  lastError?: string;
}

/**
 * The "acme-api" app: while Heroku says it is up (maintenance off, web dynos > 0) it places an order
 * with its payment every tick, in whatever database its DATABASE_URL config var names, and reports
 * its errors to Rollbar, as a real app would after a bad cutover.
 */
export class DemoApp {
  private client?: Client;
  private clientUrl?: string;
  private timer?: NodeJS.Timeout;
  private busy = false;
  /** While on, every tick also reports an application error (the console's "app errors" switch). */
  throwErrors = false;
  readonly status: DemoAppStatus = { database: '-', state: 'maintenance', writes: 0, errors: 0 };

  constructor(
    private readonly heroku: HerokuStandIn,
    private readonly rollbar: RollbarStandIn,
    private readonly labelOf: (url: string) => string,
    private readonly tickMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.client?.end().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.writeOnce();
    } finally {
      this.busy = false;
    }
  }

  private async writeOnce(): Promise<void> {
    const url = this.heroku.configVars.DATABASE_URL;
    this.status.database = url ? this.labelOf(url) : '(no DATABASE_URL)';
    if (this.throwErrors) {
      // The side panel counts every error the app reports, these included.
      this.rollbar.record(1);
      this.status.errors++;
      this.status.lastError = 'an application error (the app errors switch is on)';
    }
    // Scaled to 0, a dyno is stopped and its connection closes with it: it is no writer any more.
    if (!this.heroku.scaleOf('web')) {
      await this.disconnect();
      return void (this.status.state = 'scaled to 0');
    }
    if (this.heroku.maintenance) return void (this.status.state = 'maintenance');
    try {
      const client = await this.connect(url);
      await client.query('BEGIN');
      const order = await client.query<{ id: string }>(
        'INSERT INTO orders (customer_id, amount_cents, created_at) VALUES (1 + floor(random() * 1000)::bigint, 100 + floor(random() * 9900)::int, now()) RETURNING id',
      );
      await client.query('INSERT INTO payments (order_id, amount_cents, created_at) SELECT id, amount_cents, created_at FROM orders WHERE id = $1', [order.rows[0].id]);
      await client.query('COMMIT');
      this.status.writes++;
      this.status.state = 'writing';
    } catch (e) {
      this.status.errors++;
      this.status.lastError = (e as Error).message;
      this.status.state = 'failing';
      this.rollbar.record(1);
      await this.client?.query('ROLLBACK').catch(() => undefined);
      if (!(e as { code?: string }).code) await this.disconnect();
    }
  }

  /** Like a dyno restarted with a new config var: a new connection when DATABASE_URL changes. */
  private async connect(url: string | undefined): Promise<Client> {
    if (!url) throw new Error('DATABASE_URL is not set');
    if (this.client && this.clientUrl === url) return this.client;
    await this.disconnect();
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000, statement_timeout: 3000 });
    client.on('error', () => void this.disconnect());
    await client.connect();
    this.client = client;
    this.clientUrl = url;
    return client;
  }

  private async disconnect(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.clientUrl = undefined;
    await c?.end().catch(() => undefined);
  }
}
