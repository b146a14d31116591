import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { CloudWatchStandIn, DmsStandIn, standInTables } from '../support/dms-stand-in';
import { startDmsAwsStandIns, type DmsAwsStandIns } from '../support/dms-aws-stand-ins';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';
import { parseExposition, scrape, valueOf } from './exposition';

describe('/metrics of a DMS hop: full load, errored tables and CDC latency from the last report', () => {
  const dms = new DmsStandIn();
  const cloudwatch = new CloudWatchStandIn();
  let aws: DmsAwsStandIns;
  let h: BotHarness;

  beforeAll(async () => {
    aws = await startDmsAwsStandIns(dms, cloudwatch);
    const task = dms.addTask('loading');
    task.tables = [...standInTables(3), ...standInTables(1, 'Table error', 3)];
    Object.assign(task.ReplicationTaskStats, { FullLoadProgressPercent: 62, TablesLoaded: 3, TablesErrored: 1 });
    const now = Math.floor(Date.now() / 1000);
    cloudwatch.points.set('CDCLatencySource', [[now - 60, 4]]);
    cloudwatch.points.set('CDCLatencyTarget', [[now - 60, 17]]);
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
    dms: { task: loading, region: us-east-1, cloudwatch: { replication_instance: dms-instance-1, task_resource_id: ABCDEFGHIJKLMNOP } }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
health: { cache_seconds: 0 }
`),
    });
  });
  afterAll(async () => {
    await h.stop();
    await aws?.stop();
  });

  test('before any report the DMS figures are absent, not zero', async () => {
    const m = parseExposition((await scrape(h.url())).text);
    expect(m.get('cutover_dms_full_load_percent')?.samples ?? []).toEqual([]);
    expect(m.get('cutover_dms_tables_errored')?.samples ?? []).toEqual([]);
  });

  test('after `dms`, the scrape shows the task\'s progress, its errored table and CloudWatch\'s latencies', async () => {
    expect(await h.command('U0ANYONE', 'dms')).toContain('62');
    const m = parseExposition((await scrape(h.url())).text);
    const hop = { hop: 'ec2-to-aurora' };
    expect(valueOf(m, 'cutover_dms_full_load_percent', hop)).toBe(62);
    expect(valueOf(m, 'cutover_dms_tables_errored', hop)).toBe(1);
    expect(valueOf(m, 'cutover_dms_cdc_latency_seconds', { ...hop, side: 'source' })).toBe(4);
    expect(valueOf(m, 'cutover_dms_cdc_latency_seconds', { ...hop, side: 'target' })).toBe(17);
    expect(Date.now() / 1000 - valueOf(m, 'cutover_dms_report_timestamp_seconds', hop)).toBeLessThan(30);
    expect(m.get('cutover_dms_full_load_percent')?.type).toBe('gauge');
  });

  test('when the DMS API fails, the figures say unknown (NaN) instead of keeping the old ones', async () => {
    dms.failNext('DescribeReplicationTasks', 'AccessDeniedFault', 'not authorized to describe the task');
    expect(await h.command('U0ANYONE', 'dms')).toContain('AccessDeniedFault');
    const m = parseExposition((await scrape(h.url())).text);
    expect(valueOf(m, 'cutover_dms_full_load_percent', { hop: 'ec2-to-aurora' })).toBeNaN();
    expect(valueOf(m, 'cutover_dms_tables_errored', { hop: 'ec2-to-aurora' })).toBeNaN();
  });
});
