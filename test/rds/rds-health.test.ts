import { randomBytes } from 'node:crypto';
import { GateRunner } from '../../src/gates/gate-runner';
import { parsePlan } from '../../src/plan/load-plan';
import type { Hop } from '../../src/plan/plan';
import { rdsGates } from '../../src/rds/rds-gate';
import { rdsHealthIn } from '../../src/rds/rds-health-in-region';
import { startAwsEndpoints } from '../support/aws-endpoints';
import { RdsCloudWatchStandIn, RdsStandIn } from '../support/rds-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

const TIMEOUT_MS = 1500;

/** A hop whose target is on RDS as `rds` says (YAML flow mapping). */
function hopTo(rds: string): Hop {
  return parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL, rds: ${rds} } }
hops:
  - { id: ec2-to-aurora, method: logical, source: ec2, target: aurora, subscription: cutover }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`).hops[0];
}

describe("the managed target's own health, read with the real AWS SDK from RDS and CloudWatch stand-ins", () => {
  const rds = new RdsStandIn();
  const cloudwatch = new RdsCloudWatchStandIn();
  let aws: { stop(): Promise<void> } | undefined;
  const aurora = hopTo('{ cluster: prod-aurora, region: us-east-1 }');
  const goNoGo = (hop: Hop) => new GateRunner(TIMEOUT_MS, 0).evaluate(rdsGates(hop, (region) => rdsHealthIn(region, TIMEOUT_MS), TIMEOUT_MS), { fresh: true });
  const result = (r: Awaited<ReturnType<typeof goNoGo>>, id: string) => r.results.find((x) => x.id === id);

  beforeAll(async () => {
    aws = await startAwsEndpoints({ AWS_ENDPOINT_URL_RDS: rds, AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch });
  });
  afterAll(async () => {
    await aws?.stop();
  });
  beforeEach(() => {
    rds.clusters.clear();
    rds.instances.clear();
    rds.failWith = undefined;
    rds.silent = false;
    rds.requests.length = 0;
    cloudwatch.failWith = undefined;
    cloudwatch.points.clear();
  });

  test('a healthy Aurora cluster is GO, with its backups, members and reader lag shown, asked in the query protocol', async () => {
    rds.addCluster('prod-aurora', 1);
    cloudwatch.points.set('AuroraReplicaLag/prod-aurora-2', [[Math.floor(Date.now() / 1000) - 60, 20]]);
    const r = await goNoGo(aurora);
    expect(r.go).toBe(true);
    expect(result(r, 'rds.backups')?.value).toMatch(/^7 days, restorable to \d{4}-/);
    expect(result(r, 'rds.members')?.value).toBe('prod-aurora-1 (writer) available, prod-aurora-2 available');
    expect(result(r, 'rds.replica-lag')).toMatchObject({ status: 'ok', value: 'prod-aurora-2 0.0 s', label: 'Reader lag (AuroraReplicaLag)' });
    expect(rds.requests[0]).toMatchObject({ Action: 'DescribeDBClusters', Version: '2014-10-31', DBClusterIdentifier: 'prod-aurora' });
    expect(rds.requests[1]).toMatchObject({ Action: 'DescribeDBInstances', 'Filters.Filter.1.Name': 'db-cluster-id', 'Filters.Filter.1.Values.Value.1': 'prod-aurora' });
    const query = JSON.stringify(cloudwatch.requests.at(-1));
    expect(query).toContain('"Namespace":"AWS/RDS"');
    expect(query).toContain('"MetricName":"AuroraReplicaLag"');
    expect(query).toContain('"Value":"prod-aurora-2"');
  });

  test('backups off (retention 0) is NO-GO, with the reason', async () => {
    rds.addCluster('prod-aurora', 1).BackupRetentionPeriod = 0;
    const r = await goNoGo(aurora);
    expect(r.go).toBe(false);
    expect(r.blocking).toHaveLength(1);
    expect(r.blocking[0]).toMatchObject({ id: 'rds.backups', status: 'fail', value: 'OFF (retention 0 days)' });
    expect(r.blocking[0].detail).toMatch(/no point-in-time recovery/);
  });

  test('a writer that is not available is NO-GO; a reader that is not available is a warning', async () => {
    rds.addCluster('prod-aurora', 1);
    rds.instances.get('prod-aurora-1')!.DBInstanceStatus = 'modifying';
    let r = await goNoGo(aurora);
    expect(r.go).toBe(false);
    expect(r.blocking[0]).toMatchObject({ id: 'rds.members', status: 'fail', value: 'prod-aurora-1 (writer) modifying, prod-aurora-2 available' });
    expect(r.blocking[0].detail).toMatch(/the writer prod-aurora-1 is modifying, not available/);

    rds.instances.get('prod-aurora-1')!.DBInstanceStatus = 'available';
    rds.instances.get('prod-aurora-2')!.DBInstanceStatus = 'rebooting';
    r = await goNoGo(aurora);
    expect(r.go).toBe(true);
    expect(result(r, 'rds.members')).toMatchObject({ status: 'warn', detail: 'prod-aurora-2 rebooting: not available, so not a failover target' });
  });

  test('no member available at all is NO-GO', async () => {
    rds.addCluster('prod-aurora', 0);
    rds.instances.get('prod-aurora-1')!.DBInstanceStatus = 'stopped';
    const r = await goNoGo(aurora);
    expect(r.go).toBe(false);
    expect(result(r, 'rds.members')?.detail).toMatch(/no member of prod-aurora is available/);
  });

  test('deletion protection off and a single AZ are warnings with their reasons, not NO-GO', async () => {
    const c = rds.addCluster('prod-aurora', 0);
    c.DeletionProtection = false;
    const r = await goNoGo(aurora);
    expect(r.go).toBe(true);
    expect(result(r, 'rds.deletion-protection')).toMatchObject({ status: 'warn', value: 'off', detail: expect.stringMatching(/turn deletion protection on/) });
    expect(result(r, 'rds.multi-az')).toMatchObject({ status: 'warn', value: 'single-AZ', detail: expect.stringMatching(/add a reader in another AZ/) });
    expect(result(r, 'rds.replica-lag')).toBeUndefined();
  });

  test('an RDS instance: its read replica and ReplicaLag (seconds) shown; a replica past max lag warns', async () => {
    rds.addInstance('prod-pg', 1);
    cloudwatch.points.set('ReplicaLag/prod-pg-replica-1', [[Math.floor(Date.now() / 1000) - 60, 45]]);
    const r = await goNoGo(hopTo('{ instance: prod-pg, region: us-east-1 }'));
    expect(r.go).toBe(true);
    expect(rds.requests[0]).toMatchObject({ Action: 'DescribeDBInstances', DBInstanceIdentifier: 'prod-pg' });
    expect(result(r, 'rds.members')?.value).toBe('prod-pg (writer) available, prod-pg-replica-1 available');
    expect(result(r, 'rds.replica-lag')).toMatchObject({ status: 'warn', value: 'prod-pg-replica-1 45 s', threshold: '30 s', label: 'Read replica lag (ReplicaLag)' });
  });

  test('a lag point older than five minutes is not shown as today\'s lag', async () => {
    rds.addCluster('prod-aurora', 1);
    cloudwatch.points.set('AuroraReplicaLag/prod-aurora-2', [[Math.floor(Date.now() / 1000) - 600, 20]]);
    expect(result(await goNoGo(aurora), 'rds.replica-lag')?.value).toBe('prod-aurora-2 no recent point');
  });

  test('access denied names the IAM action to grant; the gate blocks as unknown', async () => {
    rds.addCluster('prod-aurora', 1);
    rds.failWith = { status: 403, code: 'AccessDenied', message: 'User: arn:aws:iam::123456789012:user/cutover is not authorized to perform: rds:DescribeDBClusters' };
    const r = await goNoGo(aurora);
    expect(r.go).toBe(false);
    expect(r.blocking[0]).toMatchObject({ status: 'unknown', id: 'rds:aurora' });
    expect(r.blocking[0].detail).toMatch(/access denied: grant rds:DescribeDBClusters to the bot's AWS identity/);
  });

  test('CloudWatch refused: reader lag is a warning naming cloudwatch:GetMetricData, the rest still counts', async () => {
    rds.addCluster('prod-aurora', 1);
    cloudwatch.failWith = { status: 400, type: 'AccessDenied', message: 'User is not authorized to perform: cloudwatch:GetMetricData' };
    const r = await goNoGo(aurora);
    expect(r.go).toBe(true);
    expect(result(r, 'rds.replica-lag')).toMatchObject({ status: 'warn', value: 'unknown' });
    expect(result(r, 'rds.replica-lag')?.detail).toMatch(/grant cloudwatch:GetMetricData/);
  });

  test('an RDS endpoint that never answers is cut off at the bound, in words', async () => {
    rds.addCluster('prod-aurora', 1);
    rds.silent = true;
    const started = Date.now();
    const r = await goNoGo(aurora);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 900);
    expect(r.go).toBe(false);
    expect(r.blocking[0].detail).toMatch(/rds:DescribeDBClusters did not answer within 1.5 s/);
  });

  test('a target without rds in the plan has no RDS gate', () => {
    expect(rdsGates({ ...aurora, target: { ...aurora.target, rds: undefined } }, () => { throw new Error('not called'); }, TIMEOUT_MS)).toEqual([]);
  });

  test('the plan refuses rds naming both a cluster and an instance, or neither', () => {
    expect(() => hopTo('{ cluster: a, instance: b, region: us-east-1 }')).toThrow(/exactly one of cluster \(Aurora\) or instance \(RDS\)/);
    expect(() => hopTo('{ region: us-east-1 }')).toThrow(/exactly one of cluster/);
  });
});
