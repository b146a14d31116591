import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DmsStandIn } from '../test/support/dms-stand-in';
import { eventually, freePort } from '../test/support/free-port';
import { RollbarStandIn, StatusPageStandIn } from '../test/support/health-stand-ins';
import { HerokuStandIn } from '../test/support/heroku-stand-in';
import { PrivateRedis } from '../test/support/redis';
import { SlackStandIn } from '../test/support/slack-stand-in';
import { ConsoleServer } from './console/console-server';
import { appUrl, SEED_ORDERS, startDatabases, SUBSCRIPTION, type RehearsalDatabases } from './databases';
import { DemoApp } from './demo-app';
import { LostRows } from './lost-rows';
import { MovingDms } from './moving-dms';
import { rehearsalPlanYaml } from './plan';
import { FaultSwitches, herokuStatus, SWITCHES } from './switches';

const ROOT = join(__dirname, '..');
const HEROKU_TOKEN = 'rehearsal-heroku-token';
const SIGNING_SECRET = 'rehearsal-signing-secret';
const ROLLBAR_READ = 'rollbar-read-token';
const ROLLBAR_WRITE = 'rollbar-write-token';

export interface RehearsalOptions {
  /** The console's port (0: any free port). */
  port: number;
  fullLoadSeconds: number;
  errorWatchMinutes: number;
  progress: (line: string) => void;
}

interface Part {
  name: string;
  stop: () => Promise<unknown>;
  /** The same, synchronously, for a process that is exiting. */
  stopNow?: () => void;
}

/**
 * Everything `npm run rehearse` runs: three Postgres servers, a private Redis, the stand-ins for
 * Slack, Heroku, AWS DMS, Rollbar and three status pages, the demo app, the console, and the real
 * bot as its own process, started from a plan file and environment variables as in production.
 */
export class Rehearsal {
  private readonly parts: Part[] = [];
  private stopping = false;
  consoleUrl = '';
  folder = '';
  /** The processes it started itself (the Postgres servers run under pg_ctl, in `folder`). */
  readonly pids: Record<string, number | undefined> = {};

  private constructor(private readonly opts: RehearsalOptions) {}

  static async start(opts: RehearsalOptions): Promise<Rehearsal> {
    const r = new Rehearsal(opts);
    try {
      await r.build();
    } catch (e) {
      await r.stop();
      throw e;
    }
    return r;
  }

  private own(name: string, stop: () => Promise<unknown>, stopNow?: () => void): void {
    this.parts.push({ name, stop, stopNow });
  }

  private async build(): Promise<void> {
    const say = this.opts.progress;
    const db: RehearsalDatabases = await startDatabases((what) => say(`starting ${what}`));
    this.folder = db.folder.root;
    const clusters = [db.aurora, db.ec2, db.heroku];
    this.own('databases', async () => {
      await Promise.all(clusters.map((c) => c.stop('immediate')));
      db.folder.remove();
    }, () => {
      for (const c of clusters) c.stopNow();
      db.folder.remove();
    });

    say('starting Redis, and the Slack, Heroku, AWS DMS, Rollbar and status-page stand-ins');
    const redis = await PrivateRedis.start();
    this.pids.redis = redis.pid;
    this.own('redis', async () => redis.remove(), () => redis.remove());
    const slack = await new SlackStandIn().start();
    const heroku = await new HerokuStandIn('acme-api', HEROKU_TOKEN).start();
    heroku.attachDatabase(appUrl(db.heroku));
    const rollbar = await new RollbarStandIn().start();
    rollbar.steady(1);
    const rollbarStatus = await new StatusPageStandIn('statuspage', StatusPageStandIn.statuspage('none')).start();
    const herokuStatusPage = await new StatusPageStandIn('heroku', herokuStatus(false)).start();
    const slackStatus = await new StatusPageStandIn('slack', StatusPageStandIn.slack('ok')).start();
    const dmsApi = await new DmsStandIn().start();
    const task = dmsApi.addTask('ec2toaurora', { Status: 'ready' });
    task.ReplicationTaskStats.StartDate = undefined; // created, never started
    const dms = new MovingDms(dmsApi, task, db.ec2, db.aurora, this.opts.fullLoadSeconds);
    for (const s of [slack, heroku, rollbar, rollbarStatus, herokuStatusPage, slackStatus, dmsApi]) this.own('stand-in', () => s.stop());
    this.own('subscription', () => db.aurora.sql(`DROP SUBSCRIPTION IF EXISTS ${SUBSCRIPTION}`, [], 'app').catch(() => undefined));

    const labels = new Map([[db.heroku.port, 'Heroku'], [db.ec2.port, 'EC2'], [db.aurora.port, 'Aurora']]);
    const labelOf = (url: string) => labels.get(Number(new URL(url).port)) ?? new URL(url).host;
    const app = new DemoApp(heroku, rollbar, labelOf);
    app.start();
    this.own('demo app', () => app.stop());

    say('starting the bot (src/main.ts, as npm start runs it)');
    const planPath = join(db.folder.root, 'rehearsal-plan.yml');
    writeFileSync(planPath, rehearsalPlanYaml({ heroku: heroku.url, rollbar: rollbar.url, rollbarStatus: rollbarStatus.url, herokuStatus: herokuStatusPage.url, slackStatus: slackStatus.url }, { errorWatchMinutes: this.opts.errorWatchMinutes }));
    const botPort = await freePort();
    const logPath = join(db.folder.root, 'bot.log');
    const bot = this.spawnBot(logPath, {
      SLACK_BOT_TOKEN: 'xoxb-rehearsal-bot-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: String(botPort),
      REDIS_URL: redis.url,
      MIGRATION_PLAN: planPath,
      LOG_LEVEL: 'info',
      ROLLBAR_READ_TOKEN: ROLLBAR_READ,
      ROLLBAR_WRITE_TOKEN: ROLLBAR_WRITE,
      HEROKU_API_TOKEN: HEROKU_TOKEN,
      AWS_ACCESS_KEY_ID: 'AKIDREHEARSAL',
      AWS_SECRET_ACCESS_KEY: 'rehearsal-secret-key',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE: dmsApi.url,
      HEROKU_DATABASE_URL: db.heroku.url('app'),
      EC2_DATABASE_URL: db.ec2.url('app'),
      AURORA_DATABASE_URL: db.aurora.url('app'),
      HEROKU_APP_DATABASE_URL: appUrl(db.heroku),
      EC2_APP_DATABASE_URL: appUrl(db.ec2),
      AURORA_APP_DATABASE_URL: appUrl(db.aurora),
    });
    const exited = new Promise<never>((_, reject) => bot.once('exit', (code) => setTimeout(() => reject(new Error(`the bot exited (code ${code}) while starting:\n${readFileSync(logPath, 'utf8').slice(-4000)}`)), 100)));
    await Promise.race([exited, eventually(async () => (await fetch(`http://127.0.0.1:${botPort}/healthz`).catch(() => undefined))?.status === 200, 60_000, 'the bot to answer /healthz')]);
    exited.catch(() => undefined);
    bot.once('exit', (code, signal) => {
      if (!this.stopping) say(`THE BOT EXITED (${signal ?? `code ${code}`}): the console stops answering. Its log: ${logPath}`);
    });

    const lostRows = new LostRows(db.ec2, db.aurora);
    const switches = new FaultSwitches({ rollbar, herokuStatus: herokuStatusPage, ec2: db.ec2, dms, app, lostRows });
    const world = new WorldView(db, heroku, task, app, switches, rollbar, lostRows);
    const setSwitch = async (name: string, on: boolean) => {
      await switches.set(name, on);
      world.forget();
    };
    const consoleServer = new ConsoleServer({ slack, botEventsUrl: `http://127.0.0.1:${botPort}/slack/events`, signingSecret: SIGNING_SECRET, world: () => world.read(), setSwitch });
    await consoleServer.start(this.opts.port);
    this.own('console', () => consoleServer.stop());
    this.consoleUrl = consoleServer.url;
  }

  private spawnBot(logPath: string, env: Record<string, string>): ChildProcess {
    const log = createWriteStream(logPath);
    const bot = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/main.ts')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pids.bot = bot.pid;
    bot.stdout?.pipe(log);
    bot.stderr?.pipe(log);
    const gone = new Promise((r) => bot.once('exit', r));
    this.own(
      'bot',
      async () => {
        if (bot.exitCode !== null || bot.signalCode !== null) return;
        bot.kill('SIGTERM');
        const timer = setTimeout(() => bot.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(timer);
      },
      () => bot.kill('SIGKILL'),
    );
    return bot;
  }

  /** Stops everything, newest first; what fails to stop is said, and the rest still stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    while (this.parts.length) {
      const p = this.parts.pop()!;
      await p.stop().catch((e) => this.opts.progress(`could not stop ${p.name}: ${(e as Error).message}`));
    }
  }

  /** The last resort of an exiting process: kill what is left, synchronously. */
  stopNow(): void {
    while (this.parts.length) this.parts.pop()!.stopNow?.();
  }
}

/** What the console's side panel shows, read at most once a second. */
class WorldView {
  private cached?: { at: number; value: unknown };

  constructor(
    private readonly db: RehearsalDatabases,
    private readonly heroku: HerokuStandIn,
    private readonly task: { Status: string; ReplicationTaskStats: { FullLoadProgressPercent: number } },
    private readonly app: DemoApp,
    private readonly switches: FaultSwitches,
    private readonly rollbar: RollbarStandIn,
    private readonly lostRows: LostRows,
  ) {}

  /** The next read is fresh (a switch was just flipped). */
  forget(): void {
    this.cached = undefined;
  }

  async read(): Promise<unknown> {
    if (this.cached && Date.now() - this.cached.at < 1000) return this.cached.value;
    const committed = this.app.status.writes;
    const value = {
      databases: await Promise.all([
        this.role('Heroku', this.db.heroku),
        this.role('EC2', this.db.ec2),
        this.role('Aurora', this.db.aurora),
      ]),
      app: { ...this.app.status, maintenance: this.heroku.maintenance, formation: this.heroku.formation.map((f) => `${f.type}=${f.quantity}`).join(' '), configVars: Object.keys(this.heroku.configVars).sort() },
      nothingLost: undefined as string | undefined,
      dms: { status: this.task.Status, fullLoadPercent: this.task.ReplicationTaskStats.FullLoadProgressPercent },
      rollbar: { outage: Boolean(this.rollbar.fault), deploys: this.rollbar.deploys.length },
      lostOnTarget: this.lostRows.describe(),
      switches: Object.entries(SWITCHES).map(([name, label]) => ({ name, label, on: this.switches.on.has(name as keyof typeof SWITCHES) })),
    };
    const current = value.databases.find((d) => d.label === this.app.status.database);
    if (current?.orders !== undefined) {
      // Every order the app was told was committed must be in the database it writes to now.
      const lost = committed - (current.orders - SEED_ORDERS);
      value.nothingLost = lost > 0 ? `NO: ${lost} committed orders missing on ${current.label}` : `yes: ${current.label} has the ${SEED_ORDERS} seeded orders and all ${committed} the app committed`;
    }
    this.cached = { at: Date.now(), value };
    return value;
  }

  private async role(label: string, c: RehearsalDatabases['heroku']): Promise<{ label: string; port: number; role: string; orders?: number }> {
    try {
      const [r] = await c.sql<{ standby: boolean; paused: boolean | null; orders: string }>(
        "SELECT pg_is_in_recovery() AS standby, CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused, (SELECT count(*) FROM orders) AS orders",
        [],
        'app',
      );
      return { label, port: c.port, role: r.standby ? `standby${r.paused ? ' (replay paused)' : ''}` : 'primary', orders: Number(r.orders) };
    } catch (e) {
      return { label, port: c.port, role: `unreachable: ${(e as Error).message}` };
    }
  }
}
