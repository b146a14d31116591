import { BotHarness } from '../support/bot-harness';
import { messageText } from '../support/slack-stand-in';

// A hop's replication ends by design once its cutover is past the fence: the standby is promoted, the
// subscription or the DMS task stops, and lag only grows. The lag monitor kept evaluating the hop's
// alerts and fired "replication lag" (and "left recovery") in the middle of the cutover, and once the
// hop was done and the migration moved on, nothing ever resolved them: the report counted them open.
// The hop is still sampled (status, Home and the sample-age metric read the samples).
describe('replication alerts of a hop whose cutover ended its replication', () => {
  let h: BotHarness;
  beforeAll(async () => {
    // Databases that refuse connections: a sample says so at once.
    const nowhere = 'postgres://cutover@127.0.0.1:1/app';
    h = await BotHarness.start({ databaseUrls: { HEROKU_DATABASE_URL: nowhere, EC2_DATABASE_URL: nowhere, AURORA_DATABASE_URL: nowhere } });
  });
  afterAll(() => h.stop());

  const cutover = () => h.bots[0].cutover;
  const openKeys = async () => (await cutover().monitor.openAlerts()).map((i) => i.key).sort();
  const fire = (key: string, summary: string) => cutover().monitor['deps'].alerts.observe([{ key, active: true, summary, graceMs: 0 }]);
  const setRun = (hop: string, fence: 'running' | 'done', status = 'running') =>
    cutover().redis.set(cutover().keys.cutoverRun(hop), JSON.stringify({ id: `${hop}-run`, hop, requester: 'U0OPS1', fence: 1, attempt: 1, owner: 'x', status, steps: { fence: { status: fence, attempts: 1 } }, startedAt: Date.now() }));
  const stored = (key: string) => cutover().monitor['deps'].alerts['incidents'].get(key);
  const setHops = (statuses: Record<string, string>, current: string) =>
    cutover().migration.update((m) => ({ next: { ...m, currentHop: current, hops: Object.fromEntries(Object.entries(m.hops).map(([id, s]) => [id, statuses[id] ? { ...s, status: statuses[id], since: Date.now(), runId: `${id}-run` } : s])) as typeof m.hops }, result: undefined }));

  test('past the fence, the hop is sampled but its alerts are not evaluated; its open ones, fired or in their grace, are resolved; another hop keeps its own', async () => {
    await fire('heroku-to-ec2:lag', 'Replication lag on *heroku-to-ec2*: 3 min (max 30 s).');
    await fire('heroku-to-ec2:left-recovery', 'Standby *ec2* left recovery before the cutover.');
    await cutover().monitor['deps'].alerts.observe([{ key: 'heroku-to-ec2:replay-paused', active: true, summary: 'paused', graceMs: 60_000 }]);
    expect(await stored('heroku-to-ec2:replay-paused')).toBeDefined();
    await fire('ec2-to-aurora:lag', 'Replication lag on *ec2-to-aurora*: 2 min (max 30 s).');
    await setRun('heroku-to-ec2', 'done');
    await setHops({ 'heroku-to-ec2': 'cutting-over' }, 'heroku-to-ec2');
    // Evaluated, this sample would fire "source does not answer".
    const sample = await cutover().monitor.sampleAndAlert();
    expect(sample?.hop).toBe('heroku-to-ec2');
    expect(await cutover().samples.latest('heroku-to-ec2')).toEqual(sample);
    expect(await openKeys()).toEqual(['ec2-to-aurora:lag']);
    expect(await stored('heroku-to-ec2:replay-paused')).toBeUndefined();
    const resolved = h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args)).filter((t) => t.includes('Resolved'));
    expect(resolved.join('\n')).toContain('Replication lag on *heroku-to-ec2*');
  });

  test('a cutover stopped past the fence (failed, or its roll back stopped) keeps its alerts: replication may be back', async () => {
    await setRun('heroku-to-ec2', 'done', 'failed');
    await fire('heroku-to-ec2:lag', 'Replication lag on *heroku-to-ec2*: 3 min (max 30 s).');
    expect(await cutover().monitor['closeEndedHops'](Date.now())).toEqual(new Set());
    expect(await openKeys()).toEqual(['ec2-to-aurora:lag', 'heroku-to-ec2:lag']);
    await setRun('heroku-to-ec2', 'done');
  });

  test('once the hop is done and the next is past its own fence, the next hop\'s alerts are resolved too', async () => {
    await setRun('ec2-to-aurora', 'done');
    await setHops({ 'heroku-to-ec2': 'done', 'ec2-to-aurora': 'cutting-over' }, 'ec2-to-aurora');
    expect((await cutover().monitor.sampleAndAlert())?.source.ok).toBe(false);
    expect(await openKeys()).toEqual([]);
  });

  test('before the fence, a hop\'s alerts are left to the samples', async () => {
    await setRun('ec2-to-aurora', 'running');
    await setHops({ 'ec2-to-aurora': 'cutting-over' }, 'ec2-to-aurora');
    await fire('ec2-to-aurora:lag', 'Replication lag on *ec2-to-aurora*: 2 min (max 30 s).');
    expect(await cutover().monitor['closeEndedHops'](Date.now())).toEqual(new Set(['heroku-to-ec2']));
    expect(await openKeys()).toEqual(['ec2-to-aurora:lag']);
  });
});
