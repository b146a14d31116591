import { startAuroraBot, type AuroraBot } from '../support/aurora-bot';
import type { BotHarness } from '../support/bot-harness';
import type { RdsStandIn } from '../support/rds-stand-in';

// The RDS gate reads the Aurora target with the bot's AWS credentials; the preflight tries that read
// days before, so a missing IAM grant is not first seen at the cutover's gate.
describe('preflight of a hop whose target is on RDS/Aurora', () => {
  let bot: AuroraBot | undefined;
  let h: BotHarness;
  let rds: RdsStandIn;
  let asker = 0;
  const preflight = () => h.command(`U0RP${++asker}`, 'preflight ec2-to-aurora');
  const rdsLine = (text: string) => text.split('\n').find((l) => l.includes('AWS RDS read of aurora') && !l.includes('NO-GO')) ?? '(no RDS line)';

  beforeAll(async () => {
    // Nothing listens on port 1: the database checks fail; the RDS read does not depend on them.
    bot = await startAuroraBot({ databaseUrls: { EC2_URL: 'postgres://cutover:pw@127.0.0.1:1/app', AURORA_URL: 'postgres://cutover:pw@127.0.0.1:1/app' } });
    ({ h, rds } = bot);
  });
  afterAll(() => bot?.stop());

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
