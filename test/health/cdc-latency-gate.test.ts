import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { CloudWatchStandIn, DmsStandIn, standInTables } from '../support/dms-stand-in';
import { startDmsAwsStandIns, type DmsAwsStandIns } from '../support/dms-aws-stand-ins';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

const cdcLine = (text: string) => text.split('\n').find((l) => l.includes('*DMS CDC latency (CloudWatch):*')) ?? '(no CDC latency line)';
const verdictLine = (text: string) => text.split('\n').find((l) => l.includes('*GO*') || l.includes('*NO-GO*')) ?? '(no verdict)';

describe('finding 4: CloudWatch CDC latency on the target is a gate of a DMS hop (default limit 60 s)', () => {
  const dms = new DmsStandIn();
  const cloudwatch = new CloudWatchStandIn();
  let aws: DmsAwsStandIns;
  let h: BotHarness;
  const latency = (targetSeconds: number) => {
    const now = Math.floor(Date.now() / 1000);
    cloudwatch.points.set('CDCLatencySource', [[now - 60, 1]]);
    cloudwatch.points.set('CDCLatencyTarget', [[now - 60, targetSeconds], [now - 120, 2]]);
  };

  beforeAll(async () => {
    aws = await startDmsAwsStandIns(dms, cloudwatch);
    const task = dms.addTask('cdc');
    task.tables = standInTables(2);
    Object.assign(task.ReplicationTaskStats, { FullLoadProgressPercent: 100 });
    h = await BotHarness.start({
      awsRequestTimeoutMs: 2000,
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
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
health: { cache_seconds: 0 }
`),
    });
  });
  afterAll(async () => {
    await h.stop();
    await aws?.stop();
  });
  afterEach(() => {
    cloudwatch.failWith = undefined;
  });

  test('CDC latency over the threshold: NO-GO, naming the latency and the limit', async () => {
    latency(300);
    const text = await h.command('U0ANYONE', 'health');
    expect(cdcLine(text)).toMatch(/^:red_circle: \*DMS CDC latency \(CloudWatch\):\* 5\.0 min \(≤ 60 s\) — DMS applies changes on aurora 5\.0 min behind ec2 \(limit 60 s\)/);
    expect(verdictLine(text)).toMatch(/NO-GO.*DMS CDC latency \(CloudWatch\)/);
  });

  test('CDC latency within the threshold passes this gate', async () => {
    latency(5.5);
    const text = await h.command('U0ANYONE', 'health');
    expect(cdcLine(text)).toMatch(/^:large_green_circle: \*DMS CDC latency \(CloudWatch\):\* 5\.5 s \(≤ 60 s\)/);
    expect(verdictLine(text)).not.toContain('DMS CDC latency');
  });

  test('CloudWatch unreadable: the gate is unknown and blocks like every unknown gate', async () => {
    cloudwatch.failWith = { status: 400, type: 'AccessDenied', message: 'not authorized to perform cloudwatch:GetMetricData' };
    const text = await h.command('U0ANYONE', 'health');
    expect(cdcLine(text)).toMatch(/^:white_circle: \*DMS CDC latency \(CloudWatch\):\* \(≤ 60 s\) _unknown_ — CloudWatch did not answer: not authorized/);
    expect(verdictLine(text)).toMatch(/NO-GO.*DMS CDC latency \(CloudWatch\)/);
  });

  test('no CDCLatencyTarget point in the last 15 minutes is unknown too, never ok', async () => {
    cloudwatch.points.clear();
    const text = await h.command('U0ANYONE', 'health');
    expect(cdcLine(text)).toMatch(/^:white_circle: .*_unknown_ — CloudWatch has no CDCLatencyTarget point in the last 15 minutes/);
  });
});
