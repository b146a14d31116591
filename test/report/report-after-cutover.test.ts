import { parsePlan } from '../../src/plan/load-plan';
import { IncidentStore } from '../../src/state/incident-store';
import { duration } from '../../src/views/slack-text';
import { BotHarness } from '../support/bot-harness';
import { HEROKU_TOKEN, appUrl, approveBy, createAppRole, cutoverPlanText, cutoverWorld, finishedRun, hopUrls } from '../support/cutover-world';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { all, attr, byId, byTag, parseHtml, tableRows, text } from './parsed-html';

const REASON = 'Rollbar is down <script>alert("held")</script> & "quotes"';

describe('/migrate report after a logical hop was rehearsed: held, lagged, approved and cut over through the bot', () => {
  const folder = new ClusterFolder();
  let publisher: PgCluster;
  let subscriber: PgCluster;
  let world: Awaited<ReturnType<typeof cutoverWorld>>;
  let h: BotHarness;

  beforeAll(async () => {
    publisher = await PgCluster.primary(folder, 'publisher');
    subscriber = await PgCluster.fresh(folder, 'subscriber');
    for (const c of [publisher, subscriber]) {
      await c.sql('CREATE DATABASE app');
      await c.sql('CREATE TABLE orders (id bigserial PRIMARY KEY, note text); CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)', [], 'app');
    }
    await publisher.sql("INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 300)", [], 'app');
    for (const c of [publisher, subscriber]) await createAppRole(c);
    await publisher.sql('CREATE PUBLICATION pub FOR TABLE orders, cutover_heartbeat', [], 'app');
    await subscriber.sql(`CREATE SUBSCRIPTION sub CONNECTION 'host=127.0.0.1 port=${publisher.port} dbname=app user=postgres' PUBLICATION pub`, [], 'app');
    await eventually(async () => Number((await subscriber.sql<{ n: string }>('SELECT count(*) AS n FROM orders', [], 'app'))[0].n) === 300, 30_000, 'the initial sync');
    world = await cutoverWorld(appUrl(publisher));
    // A tight lag threshold, so that pausing the subscription for a few seconds is a real lag incident.
    // The health watch every second: each reading of the app's error rate is kept for the report's chart.
    world.rollbar.steady(2);
    const text = cutoverPlanText({ method: 'logical', subscription: 'sub', heroku: world.heroku, rollbar: world.rollbar }).replace("health: '0 0 0 1 1 *'", "health: '* * * * * *'") + 'thresholds: { max_lag_seconds: 2, lag_grace_seconds: 1 }\n';
    h = await BotHarness.start({
      plan: parsePlan(text),
      databaseUrls: hopUrls(publisher, subscriber),
      settings: { herokuApiToken: HEROKU_TOKEN, rollbarReadToken: 'rollbar-read-token' },
      jobs: true,
    });
    await eventually(async () => (await h.bots[0].cutover.samples.latest('hop-one'))?.heartbeatLagSeconds === 0, 20_000, 'heartbeats through the subscription');
  }, 120_000);
  afterAll(async () => {
    await h?.stop();
    await world?.stop();
    await subscriber?.sql('DROP SUBSCRIPTION IF EXISTS sub', [], 'app').catch(() => undefined);
    await subscriber?.stop('immediate');
    await publisher?.stop('immediate');
    folder.remove();
  });

  test('the HTML file holds the hop\'s downtime, its approvers, the hold (its <script> as text), the lag incident and the lag chart as an embedded image', async () => {
    const c = h.bots[0].cutover;
    const incidents = new IncidentStore(c.redis, c.keys.incidents);

    // A hold, placed and lifted.
    expect(await h.command('U0OPS1', `hold ${REASON}`)).toContain('Hold placed');
    expect(await h.command('U0OPS2', 'unhold')).toContain('Hold lifted');

    // Replication paused: the bot's lag alert fires; resumed: it resolves.
    await subscriber.sql('ALTER SUBSCRIPTION sub DISABLE', [], 'app');
    await eventually(async () => (await incidents.open()).some((i) => i.key === 'hop-one:lag'), 30_000, 'the lag alert to fire');
    await subscriber.sql('ALTER SUBSCRIPTION sub ENABLE', [], 'app');
    await eventually(async () => (await incidents.resolved(10)).some((i) => i.key === 'hop-one:lag'), 30_000, 'the lag alert to resolve');

    await h.command('U0ANYONE', 'sequences check');
    await h.command('U0OPS1', 'lock cutover');
    expect(await h.command('U0OPS1', 'cutover')).toContain('approval request');
    const [req] = await c.approvalStore.pending();
    await approveBy(h, req.id, ['U0APP1', 'U0APP2']);
    const run = await finishedRun(h);
    expect(run.status).toBe('done');
    const downtime = duration(run.appBackAt! - run.writesStoppedAt!);

    const uploadsBefore = h.slack.uploads.size;
    const reply = await h.command('U0ANYONE', 'report');
    expect(reply).toMatch(new RegExp(`hop-one\\*.*: done, downtime ${downtime}`));
    expect(reply).toMatch(/1 approval request · 1 hold · 1 incident/);
    await eventually(() => h.slack.uploads.size > uploadsBefore, 10_000, 'the report upload');
    const html = [...h.slack.uploads.values()].map((b) => b.toString('utf8')).find((s) => s.startsWith('<!DOCTYPE html>'))!;
    const doc = parseHtml(html);

    expect(tableRows(byId(doc, 'summary'))).toEqual([['hop-one', 'Source → Target', 'logical', 'done', downtime]]);
    const hop = byId(doc, 'hop-hop-one');
    expect(text(all(hop, (n) => attr(n, 'class') === 'downtime')[0])).toBe(`Downtime: ${downtime}`);
    expect(tableRows(hop).every((row) => row[2] === 'done')).toBe(true);
    const [chart, errorRate] = byTag(hop, 'img');
    expect(attr(errorRate, 'alt')).toBe('Error rate around hop-one');
    expect(Buffer.from(attr(errorRate, 'src')!.replace(/^data:image\/png;base64,/, ''), 'base64').subarray(1, 4).toString()).toBe('PNG');
    expect(text(byTag(all(hop, (n) => attr(n, 'class') === 'error-rate-chart')[0], 'figcaption')[0])).toMatch(/Errors per minute from the error tracker, .* \d+ readings\./);
    const png = Buffer.from(attr(chart, 'src')!.replace(/^data:image\/png;base64,/, ''), 'base64');
    expect(png.subarray(1, 4).toString()).toBe('PNG');

    const approvers = all(byId(doc, 'approvals'), (n) => attr(n, 'class') === 'approver').map(text);
    expect(approvers).toEqual(['U0APP1', 'U0APP2']);
    expect(tableRows(byId(doc, 'approvals'))[0]).toEqual([expect.stringMatching(/hop-one/), 'cutover', expect.stringMatching(/^U0OPS1/), 'approved', expect.any(String), '—', expect.stringMatching(/^succeeded/)]);

    expect(tableRows(byId(doc, 'holds'))).toEqual([[REASON, 'U0OPS1', expect.any(String), expect.stringMatching(/^U0OPS2 /), expect.any(String)]]);
    expect(byTag(doc, 'script')).toEqual([]);

    const [lag] = tableRows(byId(doc, 'incidents')).filter((r) => r[0] === 'hop-one:lag');
    expect(lag[1]).toMatch(/^Replication lag on hop-one: \d/);
    expect(lag[4]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    expect(lag[5]).toMatch(/^\d+ s$/);

    expect(tableRows(byId(doc, 'sequences')).map((r) => r[2])).toContain('/migrate sequences check');
  }, 180_000);
});
