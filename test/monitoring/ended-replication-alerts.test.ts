import { BotHarness } from '../support/bot-harness';
import { messageText } from '../support/slack-stand-in';

// A hop's replication ends by design once its cutover is past the fence: the standby is promoted, the
// subscription or the DMS task stops, and lag only grows. The lag monitor kept sampling the hop and
// fired "replication lag" (and "left recovery") in the middle of the cutover, and once the hop was done
// and the migration moved on, nothing ever resolved them: the report counted them still open.
describe('replication alerts of a hop whose cutover ended its replication', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  });
  afterAll(() => h.stop());

  const cutover = () => h.bots[0].cutover;
  const openKeys = async () => (await cutover().monitor.openAlerts()).map((i) => i.key).sort();
  const fire = (key: string, summary: string) => cutover().monitor['deps'].alerts.observe([{ key, active: true, summary, graceMs: 0 }]);
  const setRun = (hop: string, fence: 'running' | 'done') =>
    cutover().redis.set(cutover().keys.cutoverRun(hop), JSON.stringify({ id: `${hop}-run`, hop, requester: 'U0OPS1', fence: 1, attempt: 1, owner: 'x', status: 'running', steps: { fence: { status: fence, attempts: 1 } }, startedAt: Date.now() }));
  const setHops = (statuses: Record<string, string>, current: string) =>
    cutover().migration.update((m) => ({ next: { ...m, currentHop: current, hops: Object.fromEntries(Object.entries(m.hops).map(([id, s]) => [id, statuses[id] ? { ...s, status: statuses[id], since: Date.now(), runId: `${id}-run` } : s])) as typeof m.hops }, result: undefined }));

  test('past the fence, the hop is not sampled and its open replication alerts are resolved; another hop keeps its own', async () => {
    await fire('heroku-to-ec2:lag', 'Replication lag on *heroku-to-ec2*: 3 min (max 30 s).');
    await fire('heroku-to-ec2:left-recovery', 'Standby *ec2* left recovery before the cutover.');
    await fire('ec2-to-aurora:lag', 'Replication lag on *ec2-to-aurora*: 2 min (max 30 s).');
    await setRun('heroku-to-ec2', 'done');
    await setHops({ 'heroku-to-ec2': 'cutting-over' }, 'heroku-to-ec2');
    const before = await cutover().samples.latest('heroku-to-ec2');
    expect(await cutover().monitor.sampleAndAlert()).toBeUndefined();
    expect(await cutover().samples.latest('heroku-to-ec2')).toEqual(before);
    expect(await openKeys()).toEqual(['ec2-to-aurora:lag']);
    const resolved = h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args)).filter((t) => t.includes('Resolved'));
    expect(resolved.join('\n')).toContain('Replication lag on *heroku-to-ec2*');
  });

  test('once the hop is done and the next is past its own fence, the next hop\'s alerts are resolved too', async () => {
    await setRun('ec2-to-aurora', 'done');
    await setHops({ 'heroku-to-ec2': 'done', 'ec2-to-aurora': 'cutting-over' }, 'ec2-to-aurora');
    expect(await cutover().monitor.sampleAndAlert()).toBeUndefined();
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
