import { randomBytes } from 'node:crypto';
import { postCutoverChecksStep } from '../../src/cutover/steps/post-cutover-checks';
import type { RunbookDeps } from '../../src/cutover/steps/step';
import { parsePlan } from '../../src/plan/load-plan';
import { startAwsEndpoints } from '../support/aws-endpoints';
import { RdsCloudWatchStandIn, RdsStandIn } from '../support/rds-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

/** A target that takes the test write and refuses anything else, recording every statement. */
function targetDatabase(statements: string[]) {
  return {
    async query(sql: string) {
      statements.push(sql);
      if (sql.trimStart().startsWith('INSERT INTO')) return { rows: [{ seq: '42', beat_at: new Date() }] };
      throw new Error(`this target answers only the test write, not: ${sql.slice(0, 40)}`);
    },
  };
}

function planWithTarget(rds?: string) {
  return parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL${rds ? `, rds: ${rds}` : ''} } }
hops:
  - { id: ec2-to-aurora, method: logical, source: ec2, target: aurora, subscription: cutover }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`);
}

/** Runs the post-cutover step on `plan`'s hop: its one-line result, the warnings it raised, the SQL it sent. */
async function runStep(plan: ReturnType<typeof planWithTarget>) {
  const statements: string[] = [];
  const warnings: string[] = [];
  const target = targetDatabase(statements);
  const hop = plan.hops[0];
  const d = { plan, hop, databases: { get: () => target }, warn: async (t: string) => void warnings.push(t) } as unknown as RunbookDeps;
  const line = await postCutoverChecksStep(hop).run(d);
  return { line, warnings, statements };
}

describe('after the cutover, an RDS/Aurora target is checked from RDS, not from pg_stat_archiver', () => {
  const rds = new RdsStandIn();
  const cloudwatch = new RdsCloudWatchStandIn();
  let aws: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    aws = await startAwsEndpoints({ AWS_ENDPOINT_URL_RDS: rds, AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch });
  });
  afterAll(async () => {
    await aws?.stop();
  });

  test('backups off on the new Aurora primary is a warning with its reason; the run goes on', async () => {
    rds.addCluster('prod-aurora', 1).BackupRetentionPeriod = 0;
    cloudwatch.points.set('AuroraReplicaLag/prod-aurora-2', [[Math.floor(Date.now() / 1000) - 60, 15]]);
    const { line, warnings, statements } = await runStep(planWithTarget('{ cluster: prod-aurora, region: us-east-1 }'));
    expect(warnings).toEqual([expect.stringMatching(/^Automated backups of aurora \(RDS cluster prod-aurora \(target aurora\)\): OFF \(retention 0 days\) — no automated backups/)]);
    expect(line).toMatch(/test write ok \(heartbeat 42\); Automated backups: OFF .*; Cluster members: prod-aurora-1 \(writer\) available, prod-aurora-2 available; .*Reader lag \(AuroraReplicaLag\): prod-aurora-2 0\.0 s/);
    expect(statements.join('\n')).not.toMatch(/pg_stat_archiver|pg_stat_replication/);
  });

  test('RDS not answering the bot is a warning naming the IAM action, not a failed run', async () => {
    rds.failWith = { status: 403, code: 'AccessDenied', message: 'User is not authorized to perform: rds:DescribeDBClusters' };
    const { warnings } = await runStep(planWithTarget('{ cluster: prod-aurora, region: us-east-1 }'));
    rds.failWith = undefined;
    expect(warnings).toEqual([expect.stringMatching(/could not read the RDS health of aurora: access denied: grant rds:DescribeDBClusters/)]);
  });

  test('a self-managed target is still checked with pg_stat_archiver and pg_stat_replication', async () => {
    const { warnings, statements } = await runStep(planWithTarget());
    expect(statements.join('\n')).toMatch(/pg_stat_archiver/);
    expect(statements.join('\n')).toMatch(/pg_stat_replication/);
    expect(warnings).toEqual([expect.stringMatching(/could not read pg_stat_archiver on aurora/), expect.stringMatching(/could not read pg_stat_replication on aurora/)]);
  });
});
