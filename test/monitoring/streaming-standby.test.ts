import { BotHarness } from '../support/bot-harness';
import { eventually, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster, createPlainRole } from '../support/pg-cluster';
import { messageText } from '../support/slack-stand-in';
import { replicationPlan } from '../support/replication-plan';

describe('a primary with a streaming standby, watched through a plain role', () => {
  const folder = new ClusterFolder();
  let primary: PgCluster;
  let standby: PgCluster;
  let h: BotHarness;

  const channelTexts = () => h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args));

  beforeAll(async () => {
    primary = await PgCluster.primary(folder);
    const sourceUrl = await createPlainRole(primary);
    await primary.sql('CREATE ROLE cutover_target LOGIN PASSWORD \'target-pw\' IN ROLE pg_monitor');
    await primary.sql('CREATE TABLE orders (id bigserial PRIMARY KEY, note text)', [], 'app');
    await primary.sql('ALTER TABLE orders OWNER TO cutover', [], 'app');
    standby = await PgCluster.streamingStandby(primary);
    h = await BotHarness.start({
      plan: replicationPlan({ feed: 'streaming' }),
      databaseUrls: { SOURCE_URL: sourceUrl, TARGET_URL: standby.url('app', 'cutover_target', 'target-pw') },
      jobs: true,
    });
  });
  afterAll(async () => {
    await h.stop();
    await standby.stop('immediate');
    await primary.stop('immediate');
    folder.remove();
  });

  test('setup creates the heartbeat table with the plain role; lag is then measured end to end', async () => {
    expect(await h.command('U0OPS1', 'setup hop-one')).toContain('heartbeat table public.cutover_heartbeat on source source');
    const sample = await eventually(async () => {
      const s = await h.bots[0].cutover.samples.latest('hop-one');
      return s?.heartbeatLagSeconds !== null && s?.heartbeatLagSeconds !== undefined && s.heartbeatLagSeconds < 3 ? s : undefined;
    }, 15_000, 'a sample with a measured lag');
    expect(sample.standby).toMatchObject({ inRecovery: true, feed: 'streaming', replayPaused: false });
    expect(sample.byteLag).not.toBeNull();
    // The plain role on the source may not see pg_stat_replication's columns.
    expect(sample.sourceReplicas).toBe('hidden');
  });

  test('/migrate lag shows every metric with units, the trend, and uploads a PNG chart', async () => {
    await eventually(async () => (await h.bots[0].cutover.samples.since('hop-one', 0)).length >= 3, 10_000, 'three samples');
    const res = await h.sendCommand('U0ANYONE', 'lag');
    const text = await h.slack.replyTo(res.key, 10_000);
    expect(text).toMatch(/End-to-end lag \(heartbeat\):\* \d+\.\d s/);
    expect(text).toMatch(/WAL not yet replayed:\* [\d.]+ (B|KiB|MiB)/);
    expect(text).toContain('WAL feed:* streaming');
    expect(text).toContain('Replay:* running');
    expect(text).toMatch(/Last 30 min:\* `[▁▂▃▄▅▆▇█ ]+` min/);
    expect(text).toContain('Source standbys: hidden (the role lacks pg_monitor)');
    await eventually(() => h.slack.callsOf('files.completeUploadExternal').length > 0, 10_000, 'the chart upload');
    const [png] = [...h.slack.uploads.values()];
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  test('a chart Slack refuses is said in a follow-up only the asker sees; the figures are already in the text', async () => {
    h.slack.override('files.getUploadURLExternal', () => ({ status: 200, body: { ok: false, error: 'not_in_channel' } }));
    try {
      const res = await h.sendCommand('U0ANYONE', 'lag');
      const posts = await eventually(() => (h.slack.responsesTo(res.key).length >= 2 ? h.slack.responsesTo(res.key) : undefined), 10_000, 'the follow-up');
      expect(messageText(posts[0].body)).toContain('WAL feed:* streaming');
      expect(posts[1].body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
      expect(messageText(posts[1].body)).toMatch(/^\(The chart could not be uploaded here: .*not_in_channel.*The text above has the same figures\.\)$/);
    } finally {
      h.slack.override('files.getUploadURLExternal', undefined);
    }
  });

  test('a paused standby raises a lag alert after the grace period; resumed, the lag clears and "resolved" is posted', async () => {
    await standby.sql('SELECT pg_wal_replay_pause()');
    const pausedAt = Date.now();
    const writer = setInterval(() => void primary.sql("INSERT INTO orders (note) VALUES ('while paused')", [], 'app').catch(() => undefined), 200);
    try {
      await eventually(() => channelTexts().some((t) => t.includes('WAL replay is *paused*')), 10_000, 'the replay-paused alert');
      const lagAlert = await eventually(() => h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('*Alert* — Replication lag on *hop-one*')), 20_000, 'the lag alert');
      // Not on the first sample over 3 s, but only once it has stayed over for the 2 s grace period.
      const samples = await h.bots[0].cutover.samples.since('hop-one', pausedAt - 2000);
      const firstOver = samples.find((x) => (x.heartbeatLagSeconds ?? 0) > 3)!;
      expect(lagAlert.at - firstOver.at).toBeGreaterThanOrEqual(1900);
      expect(lagAlert.at - pausedAt).toBeGreaterThanOrEqual(3000);
      const grown = await h.bots[0].cutover.samples.latest('hop-one');
      expect(grown!.heartbeatLagSeconds!).toBeGreaterThan(3);
      expect(grown!.replayBacklogBytes!).toBeGreaterThan(0);
      await sleep(1500);
      expect(channelTexts().filter((t) => t.includes('*Alert* — Replication lag'))).toHaveLength(1);
    } finally {
      clearInterval(writer);
      await standby.sql('SELECT pg_wal_replay_resume()');
    }
    await eventually(() => channelTexts().some((t) => t.includes('*Resolved*') && t.includes('Replication lag on *hop-one*')), 15_000, 'the lag alert to resolve');
    // Both may resolve in the same round, posted one after the other.
    await eventually(() => channelTexts().some((t) => t.includes('*Resolved*') && t.includes('WAL replay is *paused*')), 5000, 'the paused alert to resolve');
    const after = await h.bots[0].cutover.samples.latest('hop-one');
    expect(after!.heartbeatLagSeconds!).toBeLessThan(3);
  });

  test('a stopped standby reads "unknown" and alerts, never a lag of zero', async () => {
    await standby.stop('immediate');
    try {
      await eventually(() => channelTexts().some((t) => t.includes('Target *target* does not answer')), 10_000, 'the unreachable alert');
      const s = await h.bots[0].cutover.samples.latest('hop-one');
      expect(s!.target.ok).toBe(false);
      expect(s!.heartbeatLagSeconds).toBeNull();
      expect(s!.byteLag).toBeNull();
      const text = await h.command('U0ANYONE', 'lag');
      expect(text).toMatch(/End-to-end lag \(heartbeat\):\* \(≤ 3\.0 s\) _unknown_/);
      expect(text).not.toMatch(/End-to-end lag \(heartbeat\):\* 0/);
      expect(await h.command('U0ANYONE', 'status')).toContain('Target *target* does not answer');
    } finally {
      await standby.start();
    }
    await eventually(() => channelTexts().some((t) => t.includes('*Resolved*') && t.includes('Target *target* does not answer')), 20_000, 'the unreachable alert to resolve');
  });

  test('a WAL receiver that cannot reach the source is reported down and alerts; reconnected, it resolves', async () => {
    const [{ primary_conninfo: original }] = await standby.sql<{ primary_conninfo: string }>('SHOW primary_conninfo');
    await standby.sql("ALTER SYSTEM SET primary_conninfo = 'host=127.0.0.1 port=1 user=postgres connect_timeout=1'");
    await standby.sql('SELECT pg_reload_conf()');
    try {
      await eventually(() => channelTexts().some((t) => t.includes('The WAL receiver on *target* is down')), 20_000, 'the receiver-down alert');
      expect((await h.bots[0].cutover.samples.latest('hop-one'))!.standby).toMatchObject({ inRecovery: true, feed: 'down' });
      expect(await h.command('U0ANYONE', 'lag')).toContain(':red_circle: *WAL feed:* WAL receiver down');
    } finally {
      await standby.sql(`ALTER SYSTEM SET primary_conninfo = '${original.replace(/'/g, "''")}'`);
      await standby.sql('SELECT pg_reload_conf()');
    }
    await eventually(() => channelTexts().some((t) => t.includes('*Resolved*') && t.includes('The WAL receiver on *target* is down')), 20_000, 'the receiver-down alert to resolve');
  });

  test('WAL archiving failing on the source alerts (backups at risk); archiving again, it resolves', async () => {
    await primary.sql("ALTER SYSTEM SET archive_command = 'false'");
    await primary.sql('SELECT pg_reload_conf()');
    try {
      await primary.sql("INSERT INTO orders (note) VALUES ('to archive')", [], 'app');
      await primary.sql('SELECT pg_switch_wal()');
      await eventually(() => channelTexts().some((t) => t.includes('WAL archiving is failing on source *source*')), 20_000, 'the archiving alert');
    } finally {
      await primary.sql('ALTER SYSTEM RESET archive_command');
      await primary.sql('SELECT pg_reload_conf()');
    }
    await primary.sql('SELECT pg_switch_wal()');
    await eventually(() => channelTexts().some((t) => t.includes('*Resolved*') && t.includes('WAL archiving is failing on source *source*')), 30_000, 'the archiving alert to resolve');
  });

  // Last: a promoted standby cannot follow the source again.
  test('a standby promoted before the cutover alerts that it left recovery', async () => {
    await standby.sql('SELECT pg_promote()');
    await eventually(() => channelTexts().some((t) => t.includes('Standby *target* left recovery before the cutover: it no longer follows *source*')), 20_000, 'the left-recovery alert');
    expect((await h.bots[0].cutover.samples.latest('hop-one'))!.standby).toMatchObject({ inRecovery: false });
  });
});
