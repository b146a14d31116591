import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { appRoleStep } from '../../src/cutover/steps/app-role';
import type { RunbookDeps } from '../../src/cutover/runbook';
import { parsePlan } from '../../src/plan/load-plan';
import { CUTOVER_ABORT, CUTOVER_RESUME } from '../../src/views/cutover-view';
import { BotHarness } from '../support/bot-harness';
import { runButtonDrawn } from '../support/buttons';
import { APP_PASSWORD, APP_ROLE, HEROKU_TOKEN, appUrl, approveBy, createAppRole, cutoverPlanText, cutoverWorld, finishedRun, hopUrls, physicalRig, type PhysicalRig } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';

/** What the app does once it is back: write through whatever URL Heroku gives it, as whatever role that URL names. */
async function writeAs(url: string, sql: string): Promise<{ who: string; id: string | number }> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ who: string; id: string | number }>(`${sql} RETURNING current_user AS who, id`)).rows[0];
  } finally {
    await c.end();
  }
}

const roleIn = (url: string) => decodeURIComponent(new URL(url).username);

describe("the app is given its own URL, never the bot's (issue 14)", () => {
  let rig: PhysicalRig;

  beforeAll(async () => {
    rig = await physicalRig({ rows: 50 });
  });
  afterAll(() => rig.stop());

  test("after a cutover the app's DATABASE_URL is the target's app_url_env (role acme_app), not the bot's url_env, and the app writes its tables there", async () => {
    const { h, world, standby } = rig;
    await h.command('U0OPS1', 'lock cutover day');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    await approveBy(h, req.id);
    const run = await finishedRun(h, 'hop-one', 45_000, req.id);
    expect(run.failure).toBeUndefined();

    const given = world.heroku.configVars.DATABASE_URL;
    expect(given).toBe(appUrl(standby));
    expect(given).not.toBe(standby.url('app'));
    // No PATCH ever carried the bot's URL (superuser "postgres") to the app.
    const patched = world.heroku.calls.filter((c) => c.path === '/apps/acme-api/config-vars' && c.method === 'PATCH').map((c) => JSON.stringify(c.body));
    expect(patched.join(' ')).not.toContain(standby.url('app'));
    expect(roleIn(given)).toBe(APP_ROLE);
    const wrote = await writeAs(given, "INSERT INTO orders (note) VALUES ('the app, after the cutover')");
    expect(wrote.who).toBe(APP_ROLE);
    expect(Number(wrote.id)).toBeGreaterThan(50);
    expect(run.steps['app-role']?.result).toMatch(/the app's role acme_app connects to the target and has what it had on the source: 1 tables, 1 sequences/);
  });
});

describe('a plan without app_url_env, or whose app URL is the bot role, is refused before anything runs', () => {
  const withoutTargetAppUrl = (text: string) => text.replace(', app_url_env: TARGET_APP_URL', '');

  test('no app_url_env on the target: /migrate cutover refuses and says why; plan and --dry-run say it too', async () => {
    const world = await cutoverWorld('postgres://acme_app:pw@source.example/app');
    const h = await BotHarness.start({
      plan: parsePlan(withoutTargetAppUrl(cutoverPlanText({ method: 'physical', heroku: world.heroku, rollbar: world.rollbar }))),
      databaseUrls: { SOURCE_URL: 'postgres://127.0.0.1:1/app', TARGET_URL: 'postgres://127.0.0.1:1/app', SOURCE_APP_URL: 'postgres://acme_app:pw@127.0.0.1:1/app' },
      settings: { herokuApiToken: HEROKU_TOKEN },
    });
    try {
      await h.command('U0OPS1', 'lock cutover day');
      const reply = await h.command('U0OPS1', 'cutover');
      expect(reply).toContain('Cannot cut over *hop-one*: databases.target has no app_url_env in the plan');
      expect(reply).toContain('its own URL, TARGET_URL, is never given to the app');
      expect(await h.bots[0].cutover.approvalStore.pending()).toHaveLength(0);
      expect(await h.command('U0ANYONE', 'plan')).toContain('target has no `app_url_env` in the plan: a cutover is refused');
      expect(await h.command('U0ANYONE', 'cutover --dry-run')).toMatch(/refused: databases\.target has no app_url_env/);
      expect(world.heroku.calls).toHaveLength(0);
    } finally {
      await h.stop();
      await world.stop();
    }
  });

  test("an app URL that is set but logs in as the bot's role is refused; one that is not set is named", async () => {
    const world = await cutoverWorld('postgres://acme_app:pw@source.example/app');
    const urls: Record<string, string> = {
      SOURCE_URL: 'postgres://cutover_bot:bot-pw@127.0.0.1:1/app',
      TARGET_URL: 'postgres://cutover_bot:bot-pw@127.0.0.1:2/app',
      SOURCE_APP_URL: 'postgres://acme_app:pw@127.0.0.1:1/app',
      TARGET_APP_URL: 'postgres://cutover_bot:another-pw@127.0.0.1:2/app?application_name=app',
    };
    const h = await BotHarness.start({ plan: parsePlan(cutoverPlanText({ method: 'physical', heroku: world.heroku, rollbar: world.rollbar })), databaseUrls: urls, settings: { herokuApiToken: HEROKU_TOKEN } });
    try {
      await h.command('U0OPS1', 'lock cutover day');
      expect(await h.command('U0OPS1', 'cutover')).toContain("TARGET_APP_URL logs in as the bot's own role (the one in TARGET_URL)");
      delete urls.SOURCE_APP_URL;
      urls.TARGET_APP_URL = 'postgres://acme_app:pw@127.0.0.1:2/app';
      expect(await h.command('U0OPS1', 'cutover')).toContain("SOURCE_APP_URL (the app's URL for source) is not set");
      expect(world.heroku.calls).toHaveLength(0);
    } finally {
      await h.stop();
      await world.stop();
    }
  });
});

describe("the app's role is checked on the target before the app is pointed there (logical hop)", () => {
  const folder = new ClusterFolder();
  let publisher: PgCluster;
  let subscriber: PgCluster;
  let world: Awaited<ReturnType<typeof cutoverWorld>>;
  let h: BotHarness;
  let urls: Record<string, string>;

  beforeAll(async () => {
    publisher = await PgCluster.primary(folder, 'publisher');
    subscriber = await PgCluster.fresh(folder, 'subscriber');
    for (const c of [publisher, subscriber]) {
      await c.sql('CREATE DATABASE app');
      await c.sql(
        'CREATE TABLE orders (id bigserial PRIMARY KEY, note text); CREATE TABLE invoices (id serial PRIMARY KEY, note text); CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)',
        [],
        'app',
      );
      await createAppRole(c);
    }
    await publisher.sql("INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 200); INSERT INTO invoices (note) SELECT 'before' FROM generate_series(1, 20)", [], 'app');
    await publisher.sql('CREATE PUBLICATION pub FOR TABLE orders, invoices, cutover_heartbeat', [], 'app');
    await subscriber.sql(`CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=${publisher.port} dbname=app user=postgres' PUBLICATION pub`, [], 'app');
    await eventually(async () => Number((await subscriber.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n) === 200, 30_000, 'the initial sync');
    world = await cutoverWorld(appUrl(publisher));
    urls = hopUrls(publisher, subscriber);
    h = await BotHarness.start({
      plan: parsePlan(cutoverPlanText({ method: 'logical', subscription: 'sub', heroku: world.heroku, rollbar: world.rollbar, fenceTimeoutSeconds: 10 })),
      databaseUrls: urls,
      settings: { herokuApiToken: HEROKU_TOKEN, rollbarReadToken: 'rollbar-read-token' },
      jobs: true,
    });
    await caughtUp();
    await h.command('U0OPS1', 'lock cutover day');
  });
  afterAll(async () => {
    await h.stop();
    await world.stop();
    await subscriber.sql('DROP SUBSCRIPTION IF EXISTS sub', [], 'app').catch(() => undefined);
    await subscriber.stop('immediate');
    await publisher.stop('immediate');
    folder.remove();
  });

  const caughtUp = () => eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 30_000, 'heartbeats through the subscription');
  const runs = () => h.bots[0].cutover.runner['deps'].runs;
  const timeline = () => h.slack.callsOf('chat.update').map((c) => messageText(c.args)).filter((t) => t.includes('Cutover hop-one')).at(-1) ?? '';
  const configVarPatches = () => world.heroku.calls.filter((c) => c.method === 'PATCH' && c.path === '/apps/acme-api/config-vars').length;

  async function cutoverStoppedAt(step: string, approvers: [string, string]) {
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request is in the channel');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    await approveBy(h, req.id, approvers);
    const run = await finishedRun(h, 'hop-one', 45_000, req.id);
    expect(run.status).toBe('failed');
    expect(run.steps[step].status).toBe('failed');
    return run;
  }

  test('plan and --dry-run name the variable the app will be given', async () => {
    expect(await h.command('U0ANYONE', 'plan')).toContain("The app's DATABASE_URL becomes the URL in TARGET_APP_URL (the app's own role, not the bot's TARGET_URL); a roll back gives it SOURCE_APP_URL");
    const dry = await h.command('U0ANYONE', 'cutover --dry-run');
    expect(dry).toContain('PATCH /apps/acme-api/config-vars {"DATABASE_URL": &lt;the URL in TARGET_APP_URL&gt;}');
    expect(dry).toContain("DATABASE_URL gets TARGET_APP_URL (the app's own role), not TARGET_URL (the bot's)");
    expect(dry).toMatch(/Check the app's role on the target[\s\S]*the app's role acme_app connects to the target and has what it had on the source: 2 tables, 2 sequences/);
    expect(dry).not.toContain(APP_PASSWORD);
  });

  test('an app URL unset between the request and its approval: the approval runs nothing and says why', async () => {
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request is in the channel');
    const [req] = (await h.bots[0].cutover.approvalStore.pending()).filter((r) => r.kind === 'cutover');
    const saved = urls.TARGET_APP_URL;
    delete urls.TARGET_APP_URL;
    try {
      await approveBy(h, req.id, ['U0APP5', 'U0APP6']);
      const action = await eventually(async () => {
        const r = (await h.bots[0].cutover.approvalStore.get(req.id))?.run;
        return r?.status === 'failed' || r?.status === 'succeeded' ? r : undefined;
      }, 10_000, 'the approved cutover to end');
      expect(action.status).toBe('failed');
      expect(action.result).toMatch(/TARGET_APP_URL \(the app's URL for target\) is not set; nothing was run/);
      expect(await runs().get('hop-one')).toBeUndefined();
      expect(world.heroku.calls).toHaveLength(0);
    } finally {
      urls.TARGET_APP_URL = saved;
    }
  });

  test('a target app role without INSERT on a table stops the cutover at the app-role step, before repoint, with the exact GRANT; Abort brings the app back on the source', async () => {
    await subscriber.sql(`REVOKE INSERT ON orders FROM ${APP_ROLE}`, [], 'app');
    const run = await cutoverStoppedAt('app-role', ['U0APP1', 'U0APP2']);
    expect(run.steps.repoint.status).toBe('pending');
    expect(run.failure).toContain("the app's role acme_app lacks on the target what it had on the source (1 tables, 0 sequences, 0 schemas short)");
    expect(run.failure).toContain('GRANT INSERT ON TABLE "public"."orders" TO "acme_app";');
    await eventually(() => timeline().includes('GRANT INSERT ON TABLE "public"."orders" TO "acme_app";'), 5000, 'the GRANT in the timeline');
    expect(timeline()).toContain('STOPPED');
    // The app was never pointed at the target.
    expect(configVarPatches()).toBe(0);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(publisher));
    expect(world.heroku.maintenance).toBe(true);

    const abort = await h.click('U0OPS2', CUTOVER_ABORT, await runButtonDrawn(h.slack, CUTOVER_ABORT, run.id));
    expect(await h.slack.replyTo(abort.key, 15_000)).toContain('aborted and rolled back');
    expect((await runs().get('hop-one'))!.status).toBe('aborted');
    expect(world.heroku.maintenance).toBe(false);
    expect(world.heroku.configVars.DATABASE_URL).toBe(appUrl(publisher));
    const sub = await subscriber.sql<{ subenabled: boolean }>("SELECT subenabled FROM pg_subscription WHERE subname = 'sub'", [], 'app');
    expect(sub[0].subenabled).toBe(true);
    await subscriber.sql(`GRANT INSERT ON orders TO ${APP_ROLE}`, [], 'app');
  }, 90_000);

  test('a target app role without USAGE on a sequence stops at the same step with its GRANT; once run, Resume finishes and the app writes as its own role', async () => {
    await caughtUp();
    await subscriber.sql(`REVOKE USAGE ON SEQUENCE invoices_id_seq FROM ${APP_ROLE}`, [], 'app');
    const run = await cutoverStoppedAt('app-role', ['U0APP3', 'U0APP4']);
    const grant = 'GRANT USAGE ON SEQUENCE "public"."invoices_id_seq" TO "acme_app";';
    expect(run.failure).toContain(grant);
    expect(run.failure).toContain('(0 tables, 1 sequences, 0 schemas short)');
    expect(configVarPatches()).toBe(0);

    // The operator runs the GRANT the timeline shows, then resumes.
    await subscriber.sql(grant, [], 'app');
    const resumed = await h.click('U0OPS1', CUTOVER_RESUME, await runButtonDrawn(h.slack, CUTOVER_RESUME, run.id));
    expect(await h.slack.replyTo(resumed.key, 15_000)).toContain('Resuming');
    const done = await eventually(async () => {
      const r = await runs().get('hop-one');
      return r?.status === 'done' || r?.status === 'failed' ? r : undefined;
    }, 45_000, 'the resumed cutover to finish');
    expect(done.failure).toBeUndefined();
    expect(done.steps['app-role'].attempts).toBe(2);

    const given = world.heroku.configVars.DATABASE_URL;
    expect(given).toBe(appUrl(subscriber));
    expect(roleIn(given)).not.toBe('postgres');
    expect((await writeAs(given, "INSERT INTO orders (note) VALUES ('after')")).id).toBe('201');
    expect(await writeAs(given, "INSERT INTO invoices (note) VALUES ('after')")).toEqual({ who: APP_ROLE, id: 21 });
  }, 90_000);
});

describe("the app-role step's own connection", () => {
  const folder = new ClusterFolder();
  let db: PgCluster;

  beforeAll(async () => {
    db = await PgCluster.fresh(folder, 'one');
    await db.sql('CREATE DATABASE app');
    await db.sql('CREATE TABLE orders (id bigserial PRIMARY KEY, note text)', [], 'app');
    await createAppRole(db);
    // The clusters trust local logins; the app's role must give its password here, as on a real server.
    const hba = join(db.dataDir, 'pg_hba.conf');
    writeFileSync(hba, `host all ${APP_ROLE} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
    await db.sql('SELECT pg_reload_conf()');
  });
  afterAll(async () => {
    await db.stop('immediate');
    folder.remove();
  });

  const depsWith = (targetAppUrl: string) => {
    const plan = parsePlan(cutoverPlanText({ method: 'logical', subscription: 'sub', heroku: { url: 'http://127.0.0.1:1' } as never, rollbar: { url: 'http://127.0.0.1:1' } as never }));
    return { plan, hop: plan.hops[0], sourceUrl: db.url('app'), targetUrl: db.url('app'), sourceAppUrl: appUrl(db), targetAppUrl } as unknown as RunbookDeps;
  };

  test('a wrong password fails the step with the server\'s reason, and neither the password nor the URL appears in it', async () => {
    const secret = 'not-the-password-5550123';
    const url = db.url('app', APP_ROLE, secret);
    const d = depsWith(url);
    const failure = await appRoleStep(d.hop).run(d).then(() => 'passed', (e: Error) => e.message);
    expect(failure).toMatch(/could not read the app's role on the target \(target, as TARGET_APP_URL\): password authentication failed for user "acme_app"/);
    expect(failure).not.toContain(secret);
    expect(failure).not.toContain(url);
  });

  test('a target that accepts the connection and never answers fails within the plan\'s connect timeout', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const d = depsWith(`postgres://${APP_ROLE}:${APP_PASSWORD}@127.0.0.1:${(silent.address() as AddressInfo).port}/app`);
      const started = Date.now();
      const failure = await appRoleStep(d.hop).run(d).then(() => 'passed', (e: Error) => e.message);
      expect(failure).toMatch(/could not read the app's role on the target \(target, as TARGET_APP_URL\): .*timeout/i);
      expect(failure).not.toContain(APP_PASSWORD);
      expect(Date.now() - started).toBeGreaterThanOrEqual(d.plan.databaseTimeouts.connectTimeoutMs - 100);
      expect(Date.now() - started).toBeLessThan(d.plan.databaseTimeouts.connectTimeoutMs + 2000);
    } finally {
      silent.close();
    }
  });
});
