import { randomBytes } from 'node:crypto';
import { RollbarDeploys } from '../../src/health/rollbar-deploys';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { RollbarStandIn, StatusPageStandIn } from '../support/health-stand-ins';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

describe('health gates: the error tracker, status pages, and the go/no-go report', () => {
  const folder = new ClusterFolder();
  let db: PgCluster;
  const rollbar = new RollbarStandIn();
  const rollbarPage = new StatusPageStandIn('statuspage', StatusPageStandIn.statuspage('none'));
  const heroku = new StatusPageStandIn('heroku', StatusPageStandIn.heroku('green'));
  const slackPage = new StatusPageStandIn('slack', StatusPageStandIn.slack('ok'));
  let h: BotHarness;

  const healthText = () => h.command('U0ANYONE', 'health');
  const allGood = () => {
    rollbar.fault = rollbarPage.fault = heroku.fault = slackPage.fault = undefined;
    rollbar.readTokens = new Set(['rollbar-read-token']);
    rollbar.steady(2);
    rollbar.criticalItems = [];
    rollbarPage.body = StatusPageStandIn.statuspage('none', [{ name: 'API', status: 'operational' }, { name: 'Web App', status: 'operational' }]);
    heroku.body = StatusPageStandIn.heroku('green');
    slackPage.body = StatusPageStandIn.slack('ok');
  };

  beforeAll(async () => {
    db = await PgCluster.fresh(folder, 'app');
    // What the preflight gate needs of a logical hop: the app's own role, and the plan's subscription (never connected here).
    await db.sql("CREATE ROLE acme_app LOGIN PASSWORD 'pw'");
    await db.sql(`CREATE SUBSCRIPTION sub CONNECTION '${db.url()}' PUBLICATION pub WITH (connect = false)`);
    await Promise.all([rollbar.start(), rollbarPage.start(), heroku.start(), slackPage.start()]);
    allGood();
    const plan = parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { source: { url_env: SOURCE_URL, app_url_env: APP_URL }, target: { url_env: TARGET_URL, app_url_env: APP_URL } }
hops: [{ id: hop-one, method: logical, source: source, target: target, subscription: sub }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
alerts: { reminder_minutes: 0 }
health:
  timeout_ms: 700
  cache_seconds: 0
  rollbar: { environment: production, base_url: ${rollbar.url}, project_url: https://rollbar.example/acme, min_errors: 10 }
  status_pages:
    - { name: Rollbar, kind: statuspage, url: ${rollbarPage.url}, components: [API] }
    - { name: Heroku, kind: heroku, url: ${heroku.url} }
    - { name: Slack, kind: slack, url: ${slackPage.url} }
`);
    h = await BotHarness.start({ plan, databaseUrls: { SOURCE_URL: db.url(), TARGET_URL: db.url(), APP_URL: db.url('postgres', 'acme_app', 'pw') }, settings: { rollbarReadToken: 'rollbar-read-token' } });
    expect(await h.command('U0OPS1', 'setup hop-one')).toContain('Set up');
  });
  afterAll(async () => {
    await h.stop();
    await Promise.all([rollbar.stop(), rollbarPage.stop(), heroku.stop(), slackPage.stop()]);
    await db.stop('immediate');
    folder.remove();
  });

  beforeEach(allGood);
  // No jobs here: write the heartbeat the job would, or the lag gate rightly fails once it is older than the stall limit.
  beforeEach(() => h.bots[0].cutover.monitor.beat());

  test('everything healthy: GO, with every gate listed and linked', async () => {
    const text = await healthText();
    expect(text.split('\n')[0]).toContain('GO for hop-one');
    expect(text).toContain(':white_check_mark: *GO*');
    for (const label of ['Hold', 'End-to-end lag (heartbeat)', 'Error tracker reachable', 'Error rate (last 15 min)', 'New critical errors', 'Rollbar status page', 'Heroku status page', 'Slack status page']) expect(text).toContain(label);
    expect(text).toContain('<https://rollbar.example/acme|source>');
    expect(rollbar.queries.some((q) => q.searchParams.get('environments') === 'production' && q.searchParams.get('min_level') === 'error')).toBe(true);
  });

  test.each([
    ['none', 'GO'],
    ['minor', 'GO'],
    ['major', 'NO-GO'],
    ['critical', 'NO-GO'],
  ])('Statuspage indicator %s (whole page) → %s', async (indicator, verdict) => {
    const plain = new StatusPageStandIn('statuspage', StatusPageStandIn.statuspage(indicator));
    await plain.start();
    try {
      const { checkStatusPage } = await import('../../src/health/status-page');
      const r = await checkStatusPage({ name: 'Plain', kind: 'statuspage', url: plain.url, warn_on: ['minor', 'maintenance'], fail_on: ['major', 'critical'] }, 700);
      expect(r.status).toBe({ none: 'ok', minor: 'warn', major: 'fail', critical: 'fail' }[indicator]);
      expect(verdict === 'GO').toBe(r.status === 'ok' || r.status === 'warn');
    } finally {
      await plain.stop();
    }
  });

  test('only the named components count: an outage elsewhere on the page is ignored, one on ours is not', async () => {
    rollbarPage.body = StatusPageStandIn.statuspage('major', [{ name: 'API', status: 'operational' }, { name: 'Web App', status: 'major_outage' }]);
    expect(await healthText()).toContain('*GO*');
    rollbarPage.body = StatusPageStandIn.statuspage('minor', [{ name: 'API', status: 'degraded_performance' }]);
    const warn = await healthText();
    expect(warn).toContain('*GO*');
    expect(warn).toMatch(/:large_yellow_circle: \*Rollbar status page:\* API: degraded performance/);
    rollbarPage.body = StatusPageStandIn.statuspage('major', [{ name: 'API', status: 'partial_outage' }]);
    expect(await healthText()).toMatch(/NO-GO[\s\S]*Rollbar status page/);
  });

  test.each([
    ['yellow', 'GO'],
    ['red', 'NO-GO'],
  ])('Heroku apps %s → %s', async (color, verdict) => {
    heroku.body = StatusPageStandIn.heroku(color);
    const text = await healthText();
    expect(text).toContain(verdict === 'GO' ? '*GO*' : '*NO-GO*');
    expect(text).toContain(`Apps ${color}`);
  });

  test.each([
    ['active', 'GO', [{ title: 'Some users see delays', type: 'incident' }]],
    ['active', 'NO-GO', [{ title: 'Slack is down', type: 'outage' }]],
    ['broken', 'NO-GO', []],
  ])('Slack %s → %s', async (status, verdict, incidents) => {
    slackPage.body = StatusPageStandIn.slack(status, incidents);
    expect(await healthText()).toContain(verdict === 'GO' ? '*GO*' : '*NO-GO*');
  });

  test.each([
    ['5xx', { kind: 'status', status: 503 }, /server-error: HTTP 503/],
    ['429', { kind: 'status', status: 429, headers: { 'Retry-After': '30' } }, /rate-limited: rate limited \(429, retry after 30 s\)/],
    ['a timeout', { kind: 'hang' }, /timeout: no answer within 700 ms/],
    ['invalid JSON', { kind: 'garbage' }, /malformed: not JSON/],
  ] as const)('a status page answering %s is unknown, and the verdict is never GO', async (_name, fault, why) => {
    heroku.fault = fault;
    const text = await healthText();
    expect(text).toContain('*NO-GO*');
    expect(text).toMatch(/:white_circle: \*Heroku status page:\* _unknown_/);
    expect(text).toMatch(why);
  });

  test('malformed but valid JSON (no indicator) is unknown too', async () => {
    rollbarPage.body = { page: {}, components: [] };
    expect(await healthText()).toMatch(/NO-GO[\s\S]*Rollbar status page:\* _unknown_[\s\S]*component "API" is not on the page/);
  });

  test('an invalid Rollbar token fails the gate: "cannot see errors"', async () => {
    rollbar.readTokens = new Set(['another-token']);
    const text = await healthText();
    expect(text).toContain('*NO-GO*');
    expect(text).toMatch(/:red_circle: \*Error tracker reachable:\*.*cannot see errors: the read token is not accepted/);
    expect(text).toMatch(/Error rate:\* _unknown_/);
  });

  test.each([
    ['5xx', { kind: 'status', status: 502 }],
    ['a timeout', { kind: 'hang' }],
    ['invalid JSON', { kind: 'garbage' }],
    ['429', { kind: 'status', status: 429 }],
  ] as const)('Rollbar answering %s: cannot see errors, NO-GO', async (_name, fault) => {
    rollbar.fault = fault;
    const text = await healthText();
    expect(text).toContain('*NO-GO*');
    expect(text).toContain('cannot see errors');
  });

  test('a spike in occurrence counts fails the error-rate gate; new critical items fail theirs', async () => {
    rollbar.spike(30, 10);
    const text = await healthText();
    expect(text).toMatch(/:red_circle: \*Error rate \(last 15 min\):\* 20\.7\/min against 2\.0\/min over the previous 6 h \(×10\.3\)/);
    expect(text).toContain('error rate spiking');
    rollbar.steady(2);
    rollbar.criticalItems = [{ id: 1, counter: 4711, title: 'PG::UniqueViolation: duplicate key value violates unique constraint "orders_pkey"', level: 'critical', first_occurrence_timestamp: Math.floor(Date.now() / 1000) - 120 }];
    expect(await healthText()).toMatch(/New critical errors \(last hour\):\* 1 — #4711 PG::UniqueViolation/);
  });

  test('a hold fails its gate', async () => {
    await h.command('U0OPS1', 'hold Rollbar is having an outage');
    expect(await healthText()).toMatch(/NO-GO[\s\S]*:red_circle: \*Hold:\* on hold by <@U0OPS1> — "Rollbar is having an outage"/);
    await h.command('U0OPS1', 'unhold');
  });

  test('status pages alert when they degrade and when they recover, once each', async () => {
    const gates = h.bots[0].cutover.gates;
    const alerts = () => h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args)).filter((t) => t.includes('Heroku status page'));
    await gates.watch();
    heroku.body = StatusPageStandIn.heroku('red');
    await gates.watch();
    await gates.watch();
    expect(alerts().filter((t) => t.includes('*Alert*'))).toHaveLength(1);
    expect(alerts()[0]).toContain('Apps red');
    heroku.body = StatusPageStandIn.heroku('green');
    await gates.watch();
    expect(alerts().filter((t) => t.includes('*Resolved*'))).toHaveLength(1);
  });

  test('a moderate rise alerts only in the cutover window, where the threshold is tighter', async () => {
    const gates = h.bots[0].cutover.gates;
    const spikeAlerts = () => h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args)).filter((t) => t.includes('*Alert*') && t.includes('Error rate spiking'));
    const before = spikeAlerts().length;
    rollbar.spike(4, 15); // ×2 the baseline: under 3, over 1.5
    await gates.watch();
    expect(spikeAlerts()).toHaveLength(before);
    await h.bots[0].cutover.migration.update((m) => ({ next: { ...m, hops: { ...m.hops, 'hop-one': { ...m.hops['hop-one'], status: 'cutting-over' } } }, result: undefined }));
    try {
      await gates.watch();
      expect(spikeAlerts()).toHaveLength(before + 1);
      expect(spikeAlerts().at(-1)).toContain('(×2.0)');
    } finally {
      await h.bots[0].cutover.migration.update((m) => ({ next: { ...m, hops: { ...m.hops, 'hop-one': { ...m.hops['hop-one'], status: 'pending' } } }, result: undefined }));
      rollbar.steady(2);
      await gates.watch();
    }
  });

  test('deploy markers: started, then succeeded, with the write token; nothing without one', async () => {
    const deploys = new RollbarDeploys({ baseUrl: rollbar.url, environment: 'production', writeToken: 'rollbar-write-token', timeoutMs: 700 });
    const id = await deploys.start('cutover heroku-to-ec2', 'U0OPS1', 'Cutover of hop heroku-to-ec2');
    expect(id).toBe(1000);
    await deploys.finish(id!, 'succeeded');
    expect(rollbar.deploys.map((d) => [d.method, d.path, d.body.status])).toEqual([
      ['POST', '/api/1/deploy', 'started'],
      ['PATCH', '/api/1/deploy/1000', 'succeeded'],
    ]);
    expect(rollbar.deploys[0].body).toMatchObject({ environment: 'production', revision: 'cutover heroku-to-ec2', local_username: 'U0OPS1' });
    const none = new RollbarDeploys({ baseUrl: rollbar.url, environment: 'production', timeoutMs: 700 });
    expect(await none.start('x', 'U', 'c')).toBeUndefined();
    expect(rollbar.deploys).toHaveLength(2);
  });
});

describe('a plan without an error tracker', () => {
  test('fails the error-tracker gate: nobody would see the errors', async () => {
    const h = await BotHarness.start();
    try {
      const text = await h.command('U0ANYONE', 'health');
      expect(text).toContain('*NO-GO*');
      expect(text).toContain('no error tracker in the plan');
    } finally {
      await h.stop();
    }
  });
});
