import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { startAwsEndpoints } from '../support/aws-endpoints';
import { RdsCloudWatchStandIn, RdsStandIn } from '../support/rds-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

const line = (text: string, label: string) => text.split('\n').find((l) => l.includes(`*${label}:*`)) ?? `(no ${label} line)`;
const verdictLine = (text: string) => text.split('\n').find((l) => l.includes('*GO*') || l.includes('*NO-GO*')) ?? '(no verdict)';

describe("`/migrate health` shows the Aurora target's own health among the gates", () => {
  const rds = new RdsStandIn();
  const cloudwatch = new RdsCloudWatchStandIn();
  let aws: { stop(): Promise<void> } | undefined;
  let h: BotHarness;

  beforeAll(async () => {
    aws = await startAwsEndpoints({ AWS_ENDPOINT_URL_RDS: rds, AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch });
    rds.addCluster('prod-aurora', 1);
    h = await BotHarness.start({
      awsRequestTimeoutMs: 2000,
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL, rds: { cluster: prod-aurora, region: us-east-1 } } }
hops:
  - { id: ec2-to-aurora, method: logical, source: ec2, target: aurora, subscription: cutover }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
health: { cache_seconds: 0 }
`),
    });
  });
  afterAll(async () => {
    await h.stop();
    await aws?.stop();
  });

  test('backups on: the line is green; backups off: red, named in the NO-GO with its reason', async () => {
    let text = await h.command('U0ANYONE', 'health');
    expect(line(text, 'Automated backups')).toMatch(/^:large_green_circle: \*Automated backups:\* 7 days, restorable to /);
    expect(line(text, 'Cluster members')).toMatch(/prod-aurora-1 \(writer\) available, prod-aurora-2 available/);
    expect(verdictLine(text)).not.toContain('Automated backups');

    rds.clusters.get('prod-aurora')!.BackupRetentionPeriod = 0;
    text = await h.command('U0ANYONE', 'health');
    expect(line(text, 'Automated backups')).toMatch(/^:red_circle: \*Automated backups:\* OFF \(retention 0 days\) — no automated backups/);
    expect(verdictLine(text)).toMatch(/NO-GO.*Automated backups/);
  });
});
