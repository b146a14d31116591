import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { CloudWatchStandIn } from '../support/dms-stand-in';
import { startDmsAwsStandIns, type DmsAwsStandIns } from '../support/dms-aws-stand-ins';
import { ClusterFolder, PgCluster, createPlainRole } from '../support/pg-cluster';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';
import { DenyingDmsStandIn } from './denying-stand-ins';

/**
 * A DMS hop whose bot role ("cutover") has everything on both ends; each test takes one privilege
 * away, asks `/migrate preflight`, and puts it back.
 */
describe('preflight of a DMS hop, as the bot role on both ends and with the bot\'s AWS credentials', () => {
  const folder = new ClusterFolder();
  const dms = new DenyingDmsStandIn();
  const cloudwatch = new CloudWatchStandIn();
  let aws: DmsAwsStandIns;
  let source: PgCluster;
  let target: PgCluster;
  let h: BotHarness;
  const asBot = (c: PgCluster, sql: string) => c.sql(`SET ROLE cutover; ${sql}`, [], 'app');
  // `preflight` is a costly command (once a minute per person): each test asks as someone else.
  let asker = 0;
  const preflight = () => h.command(`U0PF${++asker}`, 'preflight');

  beforeAll(async () => {
    aws = await startDmsAwsStandIns(dms, cloudwatch);
    dms.addTask('pf-task');
    [source, target] = await Promise.all([PgCluster.fresh(folder, 'ec2'), PgCluster.fresh(folder, 'aurora')]);
    const urls: Record<string, string> = {};
    for (const [c, name] of [[source, 'EC2'], [target, 'AURORA']] as const) {
      urls[`${name}_URL`] = await createPlainRole(c, 'cutover', 'bot-secret-pw');
      await c.sql("CREATE ROLE app_user LOGIN PASSWORD 'app-secret-pw'; CREATE ROLE appowner NOLOGIN");
      urls[`${name}_APP_URL`] = c.url('app', 'app_user', 'app-secret-pw');
      // DMS-created tables lose their defaults: the target's ids are plain bigints.
      await asBot(c, `CREATE TABLE orders (id ${c === source ? 'bigserial' : 'bigint'} PRIMARY KEY, note text);
                      CREATE TABLE invoices (id ${c === source ? 'bigint GENERATED ALWAYS AS IDENTITY' : 'bigint'} PRIMARY KEY);
                      CREATE SEQUENCE invoice_no;
                      CREATE TABLE cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)`);
    }
    await asBot(target, 'CREATE SEQUENCE orders_id_seq');
    // What the setup asks for on the source: full visibility of pg_stat_activity, and ending stray writers.
    await source.sql('GRANT pg_monitor, pg_signal_backend TO cutover');
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL, app_url_env: EC2_APP_URL }, aurora: { url_env: AURORA_URL, app_url_env: AURORA_APP_URL } }
hops:
  - id: ec2-to-aurora
    method: dms
    source: ec2
    target: aurora
    dms: { task: pf-task, region: us-east-1, cloudwatch: { replication_instance: dms-instance-1, task_resource_id: ABCDEFGHIJKLMNOP } }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`),
      databaseUrls: urls,
    });
  });
  afterAll(async () => {
    await h.stop();
    await Promise.all([aws?.stop(), source.stop('immediate'), target.stop('immediate')]);
    folder.remove();
  });

  test('with everything granted, every check is ✅ but StartReplicationTask / StopReplicationTask, which are ⚠️: tried on a task that cannot exist', async () => {
    const text = await preflight();
    expect(text).toContain('Everything *ec2-to-aurora* needs is in place');
    expect(text).not.toContain(':x:');
    // orders_id_seq and invoice_no exist on the target; the identity's sequence is made again by the fix.
    expect(text).toMatch(/:white_check_mark: \*Sequences the fix sets on aurora \(3\):\* UPDATE on all 2; CREATE for the 1 to create/);
    expect(text).toMatch(/:white_check_mark: \*Tables the fix may alter on aurora \(2\):\* owns all 2/);
    expect(text).toMatch(/:white_check_mark: \*App's URL for target aurora \(AURORA_APP_URL\):\* connects as app_user/);
    expect(text).toMatch(/:white_check_mark: \*AWS cloudwatch:GetMetricData:\*/);
    for (const action of ['StartReplicationTask', 'StopReplicationTask']) {
      expect(text).toMatch(new RegExp(`:warning: \\*AWS dms:${action}:\\* allowed on a task that does not exist — AWS has no dry run`));
      // Only ever on the probe's ARN: the real task was never asked to start or stop.
      expect(dms.callsOf(action).map((c) => c.body.ReplicationTaskArn)).toEqual(['arn:aws:dms:us-east-1:123456789012:task:cutover--preflight--no-such-task']);
    }
    expect([...dms.tasks.values()][0].Status).toBe('running');
    // Neither URL nor password is ever shown.
    expect(text).not.toMatch(/secret-pw|postgres:\/\//);
  });

  test('the bot role without full visibility of pg_stat_activity on the source (no pg_monitor) is ❌ with the GRANT', async () => {
    await source.sql('REVOKE pg_monitor FROM cutover');
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*Full visibility of pg_stat_activity on ec2:\* no pg_read_all_stats \(pg_monitor\)/);
      expect(text).toContain('GRANT pg_monitor TO "cutover";');
    } finally {
      await source.sql('GRANT pg_monitor TO cutover');
    }
  });

  test('the bot not owning a table the fix alters on the target is ❌ with the GRANT that fixes it', async () => {
    await target.sql('ALTER TABLE invoices OWNER TO appowner', [], 'app');
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*Tables the fix may alter on aurora \(2\):\* not the owner of public\.invoices/);
      expect(text).toContain('GRANT "appowner" TO "cutover";');
      expect(text).toContain('ALTER TABLE "public"."invoices" OWNER TO "cutover";');
      expect(text).toContain(':no_entry: *NO-GO*');
    } finally {
      await target.sql('ALTER TABLE invoices OWNER TO cutover', [], 'app');
    }
  });

  test('the bot without UPDATE on a sequence the fix sets (a standalone one) is ❌ with its GRANT', async () => {
    await target.sql('ALTER SEQUENCE invoice_no OWNER TO appowner', [], 'app');
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*Sequences the fix sets on aurora \(3\):\* no UPDATE on public\.invoice_no/);
      expect(text).toContain('GRANT SELECT, UPDATE ON SEQUENCE "public"."invoice_no" TO "cutover";');
    } finally {
      await target.sql('ALTER SEQUENCE invoice_no OWNER TO cutover', [], 'app');
    }
  });

  test('the heartbeat table missing on the target is ❌, and the fix says to create it and include it in the task', async () => {
    await target.sql('ALTER TABLE cutover_heartbeat RENAME TO cutover_heartbeat_gone', [], 'app');
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*Heartbeat table public\.cutover_heartbeat on target aurora:\* missing/);
      expect(text).toMatch(/:white_check_mark: \*Heartbeat table public\.cutover_heartbeat on source ec2:\*/);
      expect(text).toContain('/migrate setup ec2-to-aurora (it creates it on both ends), then include it in the DMS task table mappings');
    } finally {
      await target.sql('ALTER TABLE cutover_heartbeat_gone RENAME TO cutover_heartbeat', [], 'app');
    }
  });

  test.each([
    ['DescribeReplicationTasks', '"Resource": "*"'],
    ['DescribeTableStatistics', '"arn:aws:dms:us-east-1:123456789012:task:PF-TASK"'],
    ['StartReplicationTask', '"arn:aws:dms:us-east-1:123456789012:task:cutover--preflight--no-such-task"'],
    ['StopReplicationTask', '"arn:aws:dms:us-east-1:123456789012:task:PF-TASK"'],
  ])('DMS denying %s is ❌ with the IAM policy that grants it', async (action, resource) => {
    dms.deny(action);
    try {
      const text = await preflight();
      expect(text).toMatch(new RegExp(`:x: \\*AWS dms:${action}:\\* denied \\(AccessDeniedException\\)`));
      expect(text).toContain(`"Action": [\n        "dms:${action}"\n      ]`);
      expect(text).toContain(resource);
      // Only the denied action is asked for.
      expect(text.match(/"Action"/g)).toHaveLength(1);
    } finally {
      dms.allow(action);
    }
  });

  test('CloudWatch denying GetMetricData is ❌ with the IAM policy that grants it', async () => {
    cloudwatch.failWith = { status: 400, type: 'AccessDenied', message: 'User: arn:aws:sts::123456789012:assumed-role/cutover-bot/i-0abc is not authorized to perform: cloudwatch:GetMetricData' };
    try {
      const text = await preflight();
      expect(text).toMatch(/:x: \*AWS cloudwatch:GetMetricData:\* denied \(AccessDenied\)/);
      expect(text).toContain('"cloudwatch:GetMetricData"');
    } finally {
      cloudwatch.failWith = undefined;
    }
  });
});
