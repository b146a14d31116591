import { randomBytes } from 'node:crypto';
import type { LagSample } from '../../src/checks/lag-sample';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { startDmsAwsStandIns, type DmsAwsStandIns } from '../support/dms-aws-stand-ins';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/** What takeLagSample stores for a DMS hop: no standby, the heartbeat lag as CDC delivers it. */
function recorded(hop: string, at: number, lagSeconds: number): LagSample {
  return {
    hop, at, source: { ok: true, ms: 3 }, target: { ok: true, ms: 5 },
    heartbeatLagSeconds: lagSeconds, sourceClock: at, sourceHeartbeat: { seq: 90, at: at - 1000 }, targetHeartbeat: { seq: 50, at: at - lagSeconds * 1000 },
    byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null, sourceLsn: null, standby: null,
    sourceReplicas: null, sourceArchiver: null, targetReplicas: null, targetArchiver: null,
  };
}

/** CloudWatch's newest-first one-minute points of the last `minutes` minutes, [epoch seconds, value at that many minutes ago]. */
const lastMinutes = (minutes: number, valueMinutesAgo: (m: number) => number): [number, number][] => {
  const now = Math.floor(Date.now() / 60_000) * 60;
  return Array.from({ length: minutes }, (_, m) => [now - m * 60, valueMinutesAgo(m)]);
};

describe('the DMS catch-up ETA through the bot, from CloudWatch\'s CDC latency trend', () => {
  let aws: DmsAwsStandIns;
  let h: BotHarness;

  beforeAll(async () => {
    aws = await startDmsAwsStandIns();
    h = await BotHarness.start({
      awsRequestTimeoutMs: 2000,
      // Nothing listens on port 1: the live sample cannot tell, and the stored samples carry the heartbeat trend.
      databaseUrls: { EC2_URL: 'postgres://app:pw@127.0.0.1:1/app', AURORA_URL: 'postgres://app:pw@127.0.0.1:1/app' },
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL } }
hops:
  - id: ec2-to-aurora
    method: dms
    source: ec2
    target: aurora
    dms: { task: cdc, region: us-east-1, cloudwatch: { replication_instance: dms-instance-1, task_resource_id: ABCDEFGHIJKLMNOP } }
  - id: aurora-to-next
    method: dms
    source: aurora
    target: ec2
    dms: { task: cdc-two, region: us-east-1 }
thresholds: { max_cdc_latency_seconds: 60 }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`),
    });
    // The heartbeat lag says "caught up" all along: an estimate that read it instead of CloudWatch would say so.
    const now = Date.now();
    for (const hop of ['ec2-to-aurora', 'aurora-to-next']) for (let i = 0; i <= 40; i++) await h.bots[0].cutover.samples.add(recorded(hop, now - (40 - i) * 30_000, 2));
  });
  afterAll(async () => {
    await h.stop();
    await aws.stop();
  });

  test('catching up: lag, status and the channel update say when, from CDCLatencyTarget asked over the last 30 min', async () => {
    // Target latency 10 min now, falling 30 s a minute for 20 min; source latency 3 s.
    aws.cloudwatch.points.set('CDCLatencyTarget', lastMinutes(21, (m) => 600 + 30 * m));
    aws.cloudwatch.points.set('CDCLatencySource', lastMinutes(21, () => 3));
    // (600 − 60) / 30 = 18 min to get within max_cdc_latency_seconds.
    const eta = '*Catch-up:* caught up in about 18 min (CloudWatch CDC latency 10.0 min at the target, falling 30 s a minute; 3.0 s at the source, steady)';
    expect(await h.command('U0ANYONE', 'lag')).toContain(eta);
    const query = aws.cloudwatch.requests.at(-1) as { StartTime: number; EndTime: number; ScanBy: string };
    expect(query.ScanBy).toBe('TimestampAscending');
    expect(query.EndTime - query.StartTime).toBe(30 * 60);
    expect(JSON.stringify(query)).toContain('"MetricName":"CDCLatencyTarget"');
    expect(await h.command('U0ANYONE', 'status')).toContain(eta);
    await h.bots[0].cutover.monitor.postUpdate();
    expect(messageText(h.slack.callsOf('chat.postMessage').at(-1)!.args)).toContain(eta);
  });

  test('falling behind: the channel update warns with the rates', async () => {
    aws.cloudwatch.points.set('CDCLatencyTarget', lastMinutes(21, (m) => 900 - 40 * m));
    aws.cloudwatch.points.set('CDCLatencySource', lastMinutes(21, () => 3));
    await h.bots[0].cutover.monitor.postUpdate();
    expect(messageText(h.slack.callsOf('chat.postMessage').at(-1)!.args)).toContain(
      '*Catch-up:* :warning: falling behind: CloudWatch CDC latency 15.0 min at the target, rising 40 s a minute; 3.0 s at the source, steady',
    );
  });

  test('caught up: within max_cdc_latency_seconds', async () => {
    aws.cloudwatch.points.set('CDCLatencyTarget', lastMinutes(21, (m) => 4 + (m % 2)));
    expect(await h.command('U0ANYONE', 'status')).toContain('*Catch-up:* caught up (CloudWatch CDC latency 4.0 s at the target, steady');
  });

  test('too few points: not known yet, and why', async () => {
    aws.cloudwatch.points.set('CDCLatencyTarget', lastMinutes(3, (m) => 600 + 30 * m));
    expect(await h.command('U0ANYONE', 'lag')).toContain('*Catch-up:* not known yet: CloudWatch has 3 CDCLatencyTarget points over 2 min in the last 30 min (needs 5 over 5 min)');
  });

  test('CloudWatch failing, or not configured for the hop: the heartbeat lag trend, saying so', async () => {
    aws.cloudwatch.failWith = { status: 400, type: 'AccessDenied', message: 'not authorized to perform cloudwatch:GetMetricData' };
    try {
      expect(await h.command('U0ANYONE', 'lag')).toContain('*Catch-up:* caught up — from the heartbeat lag; CloudWatch did not answer: not authorized to perform cloudwatch:GetMetricData');
    } finally {
      aws.cloudwatch.failWith = undefined;
    }
    expect(await h.command('U0ANYONE', 'lag aurora-to-next')).toContain('*Catch-up:* caught up — from the heartbeat lag; CloudWatch not configured for this hop');
  });
});
