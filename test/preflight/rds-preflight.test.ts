import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { startAwsEndpoints } from '../support/aws-endpoints';
import { RdsCloudWatchStandIn, RdsStandIn } from '../support/rds-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

// The RDS gate reads the Aurora target with the bot's AWS credentials; the preflight tries that read
// days before, so a missing IAM grant is not first seen at the cutover's gate.
describe('preflight of a hop whose target is on RDS/Aurora', () => {
  const rds = new RdsStandIn();
  const cloudwatch = new RdsCloudWatchStandIn();
  let aws: { stop(): Promise<void> } | undefined;
  let h: BotHarness;
  let asker = 0;
  const preflight = () => h.command(`U0RP${++asker}`, 'preflight ec2-to-aurora');
  const rdsLine = (text: string) => text.split('\n').find((l) => l.includes('AWS RDS read of aurora') && !l.includes('NO-GO')) ?? '(no RDS line)';

  beforeAll(async () => {
    aws = await startAwsEndpoints({ AWS_ENDPOINT_URL_RDS: rds, AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch });
    rds.addCluster('prod-aurora', 1);
    h = await BotHarness.start({
      awsRequestTimeoutMs: 2000,
      // Nothing listens on port 1: the database checks fail; the RDS read does not depend on them.
      databaseUrls: { EC2_URL: 'postgres://cutover:pw@127.0.0.1:1/app', AURORA_URL: 'postgres://cutover:pw@127.0.0.1:1/app' },
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL, rds: { cluster: prod-aurora, region: us-east-1 } } }
hops:
  - { id: ec2-to-aurora, method: logical, source: ec2, target: aurora, subscription: cutover }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`),
    });
  });
  afterAll(async () => {
    await h.stop();
    await aws?.stop();
  });

  test('readable: ✅ with what was read', async () => {
    const text = await preflight();
    expect(rdsLine(text)).toMatch(/✅|:white_check_mark:/);
    expect(rdsLine(text)).toContain('cluster prod-aurora read (available, 2 members)');
  });

  test('refused: ❌ naming the action, and the IAM policy to add', async () => {
    rds.failWith = { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/cutover is not authorized to perform: rds:DescribeDBClusters' };
    try {
      const text = await preflight();
      expect(rdsLine(text)).toMatch(/❌|:x:|:red_circle:/);
      expect(rdsLine(text)).toContain('denied (rds:DescribeDBClusters)');
      expect(text).toMatch(/"Action": \[\s*"rds:DescribeDBClusters",\s*"rds:DescribeDBInstances",\s*"cloudwatch:GetMetricData"\s*\]/);
    } finally {
      rds.failWith = undefined;
    }
  });
});
