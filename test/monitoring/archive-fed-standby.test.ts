import { BotHarness } from '../support/bot-harness';
import { eventually, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster, createPlainRole } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { replicationPlan } from '../support/replication-plan';

describe('a standby fed only from the WAL archive (as wal-g does)', () => {
  const folder = new ClusterFolder();
  let primary: PgCluster;
  let standby: PgCluster;
  let h: BotHarness;

  beforeAll(async () => {
    primary = await PgCluster.primary(folder);
    const sourceUrl = await createPlainRole(primary);
    standby = await PgCluster.archiveStandby(primary);
    h = await BotHarness.start({
      // No standby_feed in the plan: the bot must recognise the archive feed by itself.
      plan: replicationPlan({ maxLagSeconds: 15, graceSeconds: 2 }),
      databaseUrls: { SOURCE_URL: sourceUrl, TARGET_URL: standby.url('app') },
      jobs: true,
    });
    await h.command('U0OPS1', 'setup hop-one');
  });
  afterAll(async () => {
    await h.stop();
    await standby.stop('immediate');
    await primary.stop('immediate');
    folder.remove();
  });

  test('is recognised as archive-fed, not reported as a broken WAL receiver', async () => {
    const sample = await eventually(async () => {
      const s = await h.bots[0].cutover.samples.latest('hop-one');
      return s?.heartbeatLagSeconds !== null && s?.heartbeatLagSeconds !== undefined ? s : undefined;
    }, 20_000, 'a measured lag through the archive');
    expect(sample.standby).toMatchObject({ inRecovery: true, feed: 'archive', receiveLsn: null });
    expect(sample.receiveBacklogBytes).toBeNull();
    expect(sample.byteLag).not.toBeNull();
    const text = await h.command('U0ANYONE', 'lag');
    expect(text).toContain('WAL feed:* archive-fed (restore_command)');
    expect(text).toContain('Source WAL archiving:');
    await sleep(2000);
    const alerts = h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args)).filter((t) => t.includes('*Alert*'));
    expect(alerts).toEqual([]);
  });

  test('lag through the archive stays within the threshold while the source writes', async () => {
    const since = Date.now();
    await sleep(5000);
    const samples = await h.bots[0].cutover.samples.since('hop-one', since);
    expect(samples.length).toBeGreaterThanOrEqual(3);
    for (const s of samples) {
      expect(s.heartbeatLagSeconds).not.toBeNull();
      expect(s.heartbeatLagSeconds!).toBeLessThan(15);
    }
  });
});
