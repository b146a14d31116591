import { randomBytes } from 'node:crypto';
import { FenceTimeout, type RunbookDeps } from '../../src/cutover/runbook';
import { fenceStep } from '../../src/cutover/steps/fence';
import { DatabaseSet } from '../../src/db/database-set';
import { awsDms } from '../../src/dms/aws-dms';
import { cloudWatchCdcLatency } from '../../src/dms/cdc-latency';
import { DmsMonitor, type DmsMonitorDeps } from '../../src/dms/dms-monitor';
import { parsePlan } from '../../src/plan/load-plan';
import { CloudWatchStandIn, DmsStandIn, standInTables, standInTaskSettings, type StandInTask } from '../support/dms-stand-in';
import { startDmsAwsStandIns, type DmsAwsStandIns } from '../support/dms-aws-stand-ins';
import { eventually, sleep } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

const FENCE_TIMEOUT_SECONDS = 10;

/**
 * The fence of a DMS-shaped hop: the heartbeat really travels (logical replication underneath, as
 * the task would carry it); the task, its settings and its table statistics come from the DMS
 * stand-in, CDC latency from the CloudWatch stand-in, both through the AWS SDK.
 */
describe('the fence of a DMS hop', () => {
  const folder = new ClusterFolder();
  const dms = new DmsStandIn();
  const cloudwatch = new CloudWatchStandIn();
  let aws: DmsAwsStandIns;
  const plan = parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: SOURCE_URL }, aurora: { url_env: TARGET_URL } }
hops:
  - id: ec2-to-aurora
    method: dms
    source: ec2
    target: aurora
    dms: { task: ec2toaurora, region: us-east-1, cloudwatch: { replication_instance: dms-instance-1, task_resource_id: ABCDEFGHIJKLMNOP } }
    thresholds: { max_cdc_latency_seconds: 30 }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
cutover: { fence_timeout_seconds: ${FENCE_TIMEOUT_SECONDS} }
`);
  const hop = plan.hops[0];
  let source: PgCluster;
  let target: PgCluster;
  let databases: DatabaseSet;
  let task: StandInTask;
  let deps: RunbookDeps;

  beforeAll(async () => {
    aws = await startDmsAwsStandIns(dms, cloudwatch);
    source = await PgCluster.primary(folder, 'ec2');
    target = await PgCluster.fresh(folder, 'aurora');
    for (const c of [source, target]) await c.sql('CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)');
    await source.sql('CREATE PUBLICATION pub FOR TABLE cutover_heartbeat');
    await target.sql(`CREATE SUBSCRIPTION dms_underneath CONNECTION 'host=127.0.0.1 port=${source.port} dbname=postgres user=postgres' PUBLICATION pub`);
    databases = new DatabaseSet(plan, { SOURCE_URL: source.url(), TARGET_URL: target.url() }, plan.databaseTimeouts);
    // The fence reads only DMS and CloudWatch through the monitor: no Redis, alerts or state behind it here.
    const monitor = new DmsMonitor({ plan, dmsFor: () => awsDms('us-east-1'), cdcLatencyFor: () => cloudWatchCdcLatency('us-east-1') } as unknown as DmsMonitorDeps);
    // A run with no Continue anyway: the fence's second look at the writers lets no session through.
    deps = { plan, hop, databases, dms: monitor, fenceTimeoutMs: FENCE_TIMEOUT_SECONDS * 1000, run: () => ({}) } as unknown as RunbookDeps;
  });
  beforeEach(() => {
    dms.tasks.clear();
    task = dms.addTask('ec2toaurora');
    task.tables = standInTables(3);
    for (const t of task.tables) Object.assign(t, { Inserts: 1000, Updates: 200, Deletes: 10 });
    Object.assign(task.ReplicationTaskStats, { FullLoadProgressPercent: 100, TablesLoaded: 3, FullLoadFinishDate: Math.floor(Date.now() / 1000) });
    setLatency(2);
  });
  afterAll(async () => {
    await databases.closeAll();
    await target.sql('DROP SUBSCRIPTION IF EXISTS dms_underneath').catch(() => undefined);
    await target.stop('immediate');
    await source.stop('immediate');
    folder.remove();
    await aws?.stop();
  });

  const setLatency = (seconds: number) => {
    const now = Math.floor(Date.now() / 1000);
    cloudwatch.points.set('CDCLatencySource', [[now - 60, 1]]);
    cloudwatch.points.set('CDCLatencyTarget', [[now - 60, seconds]]);
  };
  const heartbeatArrives = async () => {
    const seq = async (c: PgCluster) => (await c.sql<{ seq: string }>("SELECT seq FROM cutover_heartbeat WHERE source = 'ec2'"))[0]?.seq;
    await eventually(async () => (await seq(target)) === (await seq(source)), 10_000, 'the heartbeats to agree');
  };

  test('the heartbeat arrives but a table\'s statistics keep moving: the fence waits, then fails with FenceTimeout saying why', async () => {
    dms.keepApplying(task, 't_00001', { Inserts: 40, Updates: 5 }, Infinity);
    const started = Date.now();
    const error = await fenceStep(hop).run(deps).then(() => undefined, (e: Error) => e);
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(FenceTimeout);
    expect(error!.message).toMatch(/^not settled within 10 s: the heartbeat reached the target, but DMS table statistics still moving: public\.t_00001 \(\+40 inserts, \+5 updates, 0 deletes\) changed in 3\.0 s \(batch apply off/);
    // It did wait (more than one round), and no longer than the fence timeout.
    expect(took).toBeGreaterThan(6000);
    expect(took).toBeLessThan(FENCE_TIMEOUT_SECONDS * 1000 + 2000);
    expect(dms.callsOf('DescribeTableStatistics').length).toBeGreaterThanOrEqual(3);
    await heartbeatArrives();
  });

  test('statistics that settle while it waits: the fence passes once two reads agree, and says what it checked', async () => {
    dms.keepApplying(task, 't_00002', { Deletes: 3 }, 2);
    const reads = dms.callsOf('DescribeTableStatistics').length;
    const result = await fenceStep(hop).run(deps);
    expect(result).toMatch(/^target has heartbeat \d+ \d+ ms after it was written; DMS table statistics unchanged over 3\.0 s \(3 tables\); CDCLatencyTarget 2\.0 s ≤ 30 s; batch apply off \(commit order\)$/);
    // The first two reads found t_00002 moved (DMS applied one change before each); the third agreed with the second.
    expect(dms.callsOf('DescribeTableStatistics').length - reads).toBe(3);
    expect(dms.callsOf('DescribeReplicationTasks').every((c) => c.body.WithoutSettings === false)).toBe(true);
  });

  test('with BatchApplyEnabled the timeline says so, the wait is longer than BatchApplyTimeoutMin, and the dry-run names the fence', async () => {
    task.ReplicationTaskSettings = standInTaskSettings({ BatchApplyEnabled: true, BatchApplyTimeoutMin: 4 });
    const result = await fenceStep(hop).run(deps);
    expect(result).toContain('DMS table statistics unchanged over 5.0 s');
    expect(result).toContain('batch apply ON (BatchApplyEnabled: changes are applied in batches, not in commit order)');
    const step = fenceStep(hop);
    expect(step.describe({ plan, hop })[0]).toBe('fence used: heartbeat + CDC latency + table statistics');
    expect(step.describe({ plan, hop }).join('\n')).toContain('CloudWatch AWS/DMS CDCLatencyTarget (dms-instance-1/ABCDEFGHIJKLMNOP) ≤ 30 s');
    expect(await step.preview!(deps)).toEqual(['fence used: heartbeat + CDC latency + table statistics; task ec2toaurora is running, batch apply ON (BatchApplyEnabled: changes are applied in batches, not in commit order)']);
  });

  test('CDC latency above the threshold blocks the fence until it comes down', async () => {
    setLatency(120);
    const started = Date.now();
    const fence = fenceStep(hop).run(deps);
    await sleep(4000);
    setLatency(4);
    const result = await fence;
    expect(Date.now() - started).toBeGreaterThan(4000);
    expect(result).toContain('CDCLatencyTarget 4.0 s ≤ 30 s');
  });

  test('CDC latency that stays above the threshold fails the fence with FenceTimeout', async () => {
    setLatency(120);
    await expect(fenceStep(hop).run(deps)).rejects.toThrow(new FenceTimeout('not settled within 10 s: the heartbeat reached the target, but CDCLatencyTarget 2.0 min > 30 s (batch apply off (commit order))'));
  });

  test('a task that is not running, or a table in error, fails the fence at once: no wait can prove anything', async () => {
    task.tables[0].TableState = 'Table error';
    const started = Date.now();
    await expect(fenceStep(hop).run(deps)).rejects.toThrow(/DMS tables in error: public\.t_00000; their changes are not being applied/);
    expect(Date.now() - started).toBeLessThan(3000);
    task.tables[0].TableState = 'Table completed';
    task.Status = 'stopped';
    await expect(fenceStep(hop).run(deps)).rejects.toThrow(/the DMS task ec2toaurora is stopped: its table statistics prove nothing until it runs/);
  });

  test('a DMS API that stops answering fails the fence at its timeout, not after the SDK\'s retries', async () => {
    const started = Date.now();
    const fence = fenceStep(hop).run(deps);
    await heartbeatArrives();
    dms.fault = 'hang';
    const error = await fence.then(() => undefined, (e: Error) => e);
    dms.fault = undefined;
    expect(error).toBeInstanceOf(FenceTimeout);
    expect(error!.message).toMatch(/DMS \(DescribeReplicationTasks\/DescribeTableStatistics\) did not answer before the fence timeout/);
    expect(Date.now() - started).toBeLessThan(FENCE_TIMEOUT_SECONDS * 1000 + 1500);
  });

  test('a DMS API that refuses (access denied) fails the fence at once, saying so', async () => {
    dms.failNext('DescribeReplicationTasks', 'AccessDeniedFault', 'User is not authorized to perform: dms:DescribeReplicationTasks');
    await expect(fenceStep(hop).run(deps)).rejects.toThrow(/DMS \(DescribeReplicationTasks\/DescribeTableStatistics\) failed: User is not authorized/);
  });

  test('a physical or logical hop keeps the heartbeat-only fence, and its dry-run says so', () => {
    const logical = { ...hop, method: 'logical' as const, dms: undefined };
    expect(fenceStep(logical).describe({ plan, hop: logical })[0]).toBe('fence used: heartbeat only (the replication applies in commit order)');
  });

  test("a higher heartbeat number on the target from before the source's heartbeat table was set up again is not the fence", async () => {
    // Replication stalled, and the target holds #999999 from an hour ago (the source's table was recreated and counts from 1 again).
    await target.sql('ALTER SUBSCRIPTION dms_underneath DISABLE');
    await target.sql("INSERT INTO cutover_heartbeat VALUES ('ec2', 999999, now() - interval '1 hour') ON CONFLICT (source) DO UPDATE SET seq = excluded.seq, beat_at = excluded.beat_at");
    try {
      await expect(fenceStep(hop).run(deps)).rejects.toThrow(/^the target did not show heartbeat \d+ within 10 s \(newest seen: 999999\)/);
    } finally {
      await target.sql('ALTER SUBSCRIPTION dms_underneath ENABLE');
    }
    await heartbeatArrives();
  }, 30_000);
});
