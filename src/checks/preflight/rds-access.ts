import type { Database, Hop } from '../../plan/plan';
import { RdsReadError, type RdsHealthPort } from '../../rds/rds-health';
import { iamPolicyFix } from './aws-permissions';
import type { PreflightCheck } from './preflight-check';

/** What the RDS gate and the post-cutover checks call, for the IAM policy of a refusal. */
const RDS_ACTIONS = ['rds:DescribeDBClusters', 'rds:DescribeDBInstances', 'cloudwatch:GetMetricData'];

/**
 * Each end of the hop that the plan places on RDS/Aurora (`databases.<id>.rds`), read once as the
 * RDS gate reads it, with the bot's AWS credentials: a refusal is ❌ with the IAM policy to add,
 * reader lag CloudWatch would not give is ⚠️, anything else that fails is "could not tell".
 */
export async function checkRdsAccess(hop: Hop, rdsIn: (region: string) => RdsHealthPort, now: () => number): Promise<PreflightCheck[]> {
  const ends = [hop.source, hop.target].filter((db): db is Database & { rds: NonNullable<Database['rds']> } => Boolean(db.rds));
  return (await Promise.all(ends.map((db) => checkOne(db, rdsIn(db.rds.region), now)))).flat();
}

async function checkOne(db: Database & { rds: NonNullable<Database['rds']> }, port: RdsHealthPort, now: () => number): Promise<PreflightCheck[]> {
  const what = db.rds.cluster ? `cluster ${db.rds.cluster}` : `instance ${db.rds.instance}`;
  const base = { id: `aws.rds.${db.id}`, label: `AWS RDS read of ${db.id}`, source: `AWS ${db.rds.region}`, observedAt: now(), as: 'the AWS credentials of the bot' };
  try {
    const health = await port.read(db.rds);
    const checks: PreflightCheck[] = [{ ...base, status: 'ok', value: `${what} read (${health.status}, ${health.members.length} member${health.members.length === 1 ? '' : 's'})` }];
    if (health.lagError) checks.push({ ...base, id: `aws.rds.${db.id}.lag`, label: `AWS CloudWatch reader lag of ${db.id}`, status: 'warn', value: 'could not be read', detail: health.lagError, fix: iamPolicyFix('CutoverReadsRds', ['cloudwatch:GetMetricData'], '*') });
    return checks;
  } catch (e) {
    if (e instanceof RdsReadError && e.deniedAction) {
      return [{ ...base, status: 'fail', value: `denied (${e.deniedAction})`, detail: `the RDS gate and the post-cutover checks read ${what} with it; ${e.message}`, fix: iamPolicyFix('CutoverReadsRds', RDS_ACTIONS, '*') }];
    }
    return [{ ...base, status: 'unknown', value: 'could not tell', detail: (e as Error).message }];
  }
}
