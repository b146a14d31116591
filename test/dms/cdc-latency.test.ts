import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { CloudWatchStandIn, DmsStandIn, standInTables } from '../support/dms-stand-in';
import { startDmsAwsStandIns, type DmsAwsStandIns } from '../support/dms-aws-stand-ins';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

describe('CloudWatch CDC latency of a DMS hop, when the plan configures it', () => {
  const dms = new DmsStandIn();
  const cloudwatch = new CloudWatchStandIn();
  let aws: DmsAwsStandIns;
  let h: BotHarness;

  beforeAll(async () => {
    aws = await startDmsAwsStandIns(dms, cloudwatch);
    const task = dms.addTask('cdc');
    task.tables = standInTables(2);
    Object.assign(task.ReplicationTaskStats, { FullLoadProgressPercent: 100 });
    h = await BotHarness.start({
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
`),
    });
  });
  afterAll(async () => {
    await h.stop();
    await aws?.stop();
  });

  test('status shows the newest CDCLatencySource and CDCLatencyTarget, asked with the task\'s dimensions', async () => {
    const now = Math.floor(Date.now() / 1000);
    cloudwatch.points.set('CDCLatencySource', [[now - 60, 2], [now - 120, 9]]);
    cloudwatch.points.set('CDCLatencyTarget', [[now - 60, 5.5], [now - 120, 12]]);
    const text = await h.command('U0ANYONE', 'dms status');
    expect(text).toContain('*CDC latency (CloudWatch):* source 2.0 s, target 5.5 s');
    const query = JSON.stringify(cloudwatch.requests.at(-1));
    expect(query).toContain('"Namespace":"AWS/DMS"');
    expect(query).toContain('"Value":"dms-instance-1"');
    expect(query).toContain('"Value":"ABCDEFGHIJKLMNOP"');
  });

  test('CloudWatch failing shows the latency as unknown, and the rest of the report still comes', async () => {
    cloudwatch.failWith = { status: 400, type: 'AccessDenied', message: 'not authorized to perform cloudwatch:GetMetricData' };
    const text = await h.command('U0ANYONE', 'dms status');
    expect(text).toMatch(/CDC latency \(CloudWatch\):\* _unknown_ — CloudWatch did not answer: not authorized/);
    expect(text).toContain('*Status:* running');
    cloudwatch.failWith = undefined;
  });
});
