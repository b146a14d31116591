import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { APPROVE_ACTION } from '../../src/views/approval-view';
import { BotHarness } from '../support/bot-harness';
import { DmsStandIn, standInTables, type StandInTask } from '../support/dms-stand-in';
import { eventually } from '../support/free-port';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

function dmsPlan(task: string) {
  return parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL } }
hops:
  - { id: ec2-to-aurora, method: dms, source: ec2, target: aurora, dms: { task: ${task}, region: us-east-1 } }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
alerts: { reminder_minutes: 0 }
`);
}

describe('the DMS hop, through the real AWS SDK and a local DMS endpoint', () => {
  const dms = new DmsStandIn();
  const saved = { ...process.env };
  let h: BotHarness;
  let task: StandInTask;

  beforeAll(async () => {
    await dms.start();
    process.env.AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE = dms.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-key';
    process.env.AWS_REGION = 'us-east-1';
    task = dms.addTask('ec2toaurora');
    h = await BotHarness.start({ plan: dmsPlan(task.ReplicationTaskArn) });
  });
  afterAll(async () => {
    await h.stop();
    await dms.stop();
    process.env = saved;
  });

  const channelTexts = () => h.slack.callsOf('chat.postMessage').map((c) => messageText(c.args));
  const poll = (now?: number) => h.bots[0].cutover.dms.poll(now);

  test.each(['creating', 'ready', 'starting', 'running', 'stopping', 'stopped', 'failed', 'deleting', 'modifying', 'moving', 'failed-move', 'testing'])('status shows a task that is %s', async (status) => {
    task.Status = status;
    task.StopReason = status === 'stopped' ? 'Stop Reason NORMAL' : undefined;
    task.LastFailureMessage = status === 'failed' ? 'Last Error ODBC general error. Task error notification received' : undefined;
    const text = await h.command('U0ANYONE', 'dms status');
    expect(text).toContain(`*Status:* ${status}`);
    if (status === 'stopped') expect(text).toContain('stop reason: Stop Reason NORMAL');
    if (status === 'failed') expect(text).toContain('*Last failure:* Last Error ODBC general error');
  });

  test('progress, tables and an ETA from the recorded rate', async () => {
    task.Status = 'running';
    task.LastFailureMessage = undefined;
    task.tables = [...standInTables(8), ...standInTables(2, 'Full load', 8)];
    Object.assign(task.ReplicationTaskStats, { FullLoadProgressPercent: 40, ElapsedTimeMillis: 3_600_000, TablesLoaded: 8, TablesLoading: 2, TablesQueued: 0, TablesErrored: 0 });
    const first = await h.command('U0ANYONE', 'dms ec2-to-aurora status');
    expect(first).toContain('40%');
    expect(first).toContain('*ETA:* not enough progress recorded yet');
    expect(first).toContain('*Tables:* 8 loaded · 2 loading · 0 queued · 0 errored');
    expect(first).toContain('*CDC:* full load in progress');
    const monitor = h.bots[0].cutover.dms;
    const hop = h.plan.hops[0];
    const t0 = Date.now();
    await monitor.report(hop, t0 + 30 * 60_000);
    task.ReplicationTaskStats.FullLoadProgressPercent = 70;
    const later = await monitor.report(hop, t0 + 90 * 60_000);
    // 30 % in one hour from 40 → 70: the remaining 30 % take about an hour.
    expect(later.eta!.etaMs).toBeGreaterThan(0.9 * 3600_000);
    expect(later.eta!.etaMs).toBeLessThan(1.2 * 3600_000);
    expect(later.tables!.loading).toHaveLength(2);
  });

  test('2,500 tables are paged through (500 a page) and a long list goes to a CSV file', async () => {
    task.tables = [...standInTables(2470), ...standInTables(30, 'Table error', 2470).map((t) => ({ ...t, FullLoadErrorRows: 5 }))];
    const before = dms.callsOf('DescribeTableStatistics').length;
    const text = await h.command('U0ANYONE', 'dms tables errored');
    expect(dms.callsOf('DescribeTableStatistics').length - before).toBe(5);
    expect(dms.callsOf('DescribeTableStatistics').slice(-5).map((c) => c.body.MaxRecords)).toEqual([500, 500, 500, 500, 500]);
    expect(text).toContain('30 errored tables');
    expect(text).toContain('…and 10 more: see the CSV file');
    await eventually(() => [...h.slack.uploads.values()].some((b) => b.toString().includes('"public","t_02499","Table error"')), 5000, 'the CSV upload');
    const status = await h.command('U0ANYONE', 'dms status');
    expect(status).toContain('*2500 tables*');
  });

  test('ThrottlingException twice, then success: the SDK retries and the answer is normal', async () => {
    task.tables = standInTables(3);
    const before = dms.callsOf('DescribeReplicationTasks').length;
    dms.failNext('DescribeReplicationTasks', 'ThrottlingException', 'Rate exceeded');
    dms.failNext('DescribeReplicationTasks', 'ThrottlingException', 'Rate exceeded');
    const text = await h.command('U0ANYONE', 'dms status');
    expect(text).toContain('*Status:* running');
    expect(dms.callsOf('DescribeReplicationTasks').length - before).toBe(3);
  });

  test('ResourceNotFoundFault and AccessDeniedFault are named clearly', async () => {
    dms.failNext('DescribeReplicationTasks', 'ResourceNotFoundFault', 'No Tasks found matching provided filters');
    expect(await h.command('U0ANYONE', 'dms status')).toMatch(/task not found\* \(ResourceNotFoundFault\)[\s\S]*Check the task ARN/);
    dms.failNext('DescribeReplicationTasks', 'AccessDeniedFault', 'User: arn:aws:iam::123:user/bot is not authorized to perform: dms:DescribeReplicationTasks');
    expect(await h.command('U0ANYONE', 'dms status')).toMatch(/access denied\* \(AccessDeniedFault\)[\s\S]*not authorized/);
    dms.failNext('DescribeReplicationTasks', 'AccessDeniedFault', 'not authorized');
    await poll();
    expect(channelTexts().some((t) => t.includes('DMS access denied for *ec2-to-aurora* (AccessDeniedFault)'))).toBe(true);
    await poll();
    expect(channelTexts().some((t) => t.includes('*Resolved*') && t.includes('DMS access denied'))).toBe(true);
  });

  test('running → failed gives exactly one alert, however often it is polled', async () => {
    task.Status = 'running';
    await poll();
    task.Status = 'failed';
    task.LastFailureMessage = 'Last Error Replication task out of memory. Stop Reason FATAL_ERROR';
    for (let i = 0; i < 4; i++) await poll();
    const alerts = channelTexts().filter((t) => t.includes('*Alert*') && t.includes('*FAILED*'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('out of memory');
    task.Status = 'running';
    task.LastFailureMessage = undefined;
    await poll();
    expect(channelTexts().filter((t) => t.includes('*Resolved*') && t.includes('*FAILED*'))).toHaveLength(1);
  });

  test('errored tables appearing alert once; growing, the alert thread says it got worse', async () => {
    task.tables = [...standInTables(10), ...standInTables(1, 'Table error', 10)];
    await poll();
    const alert = h.slack.callsOf('chat.postMessage').find((c) => messageText(c.args).includes('1 table in error on DMS hop'))!;
    expect(alert).toBeDefined();
    task.tables = [...standInTables(10), ...standInTables(3, 'Table error', 10)];
    await poll();
    await poll();
    const worse = h.slack.callsOf('chat.postMessage').filter((c) => messageText(c.args).includes('*Worse*'));
    expect(worse).toHaveLength(1);
    expect(messageText(worse[0].args)).toContain('3 tables in error');
    expect(worse[0].args.thread_ts).toBe(alert.result?.ts);
    task.tables = standInTables(13);
    await poll();
  });

  test('validation failures alert', async () => {
    task.tables = [...standInTables(5), { ...standInTables(1, 'Table completed', 5)[0], ValidationState: 'Mismatched records', ValidationFailedRecords: 12 }];
    await poll();
    expect(channelTexts().some((t) => t.includes('1 table with validation failures on DMS hop'))).toBe(true);
    expect(await h.command('U0ANYONE', 'dms tables validation')).toContain('12 validation failures');
    task.tables = standInTables(6);
    await poll();
  });

  test('a full load stuck at one percent for the plan\'s stall period alerts once; moving again, it resolves', async () => {
    task.Status = 'running';
    task.LastFailureMessage = undefined;
    task.tables = standInTables(4);
    task.ReplicationTaskStats.FullLoadProgressPercent = 42;
    const stallAlerts = () => channelTexts().filter((t) => t.includes('*Alert*') && t.includes('has not progressed'));
    // Polled as the scheduler would, at times after every point the other tests recorded.
    const t0 = Date.now() + 3 * 3600_000;
    await poll(t0);
    await poll(t0 + 10 * 60_000);
    expect(stallAlerts()).toHaveLength(0);
    await poll(t0 + 16 * 60_000);
    await poll(t0 + 17 * 60_000);
    expect(stallAlerts()).toHaveLength(1);
    expect(stallAlerts()[0]).toContain('DMS full load on *ec2-to-aurora* has not progressed for 16 min');
    expect(stallAlerts()[0]).toContain('stuck at 42%');
    task.ReplicationTaskStats.FullLoadProgressPercent = 43;
    await poll(t0 + 18 * 60_000);
    expect(channelTexts().filter((t) => t.includes('*Resolved*') && t.includes('has not progressed'))).toHaveLength(1);
  });

  test('stop and resume need an operator holding the lock', async () => {
    expect(await h.command('U0STRANGER', 'dms stop')).toContain('is for operators');
    expect(await h.command('U0OPS1', 'dms stop')).toContain('needs the migration lock');
    await h.command('U0OPS1', 'lock DMS maintenance');
    expect(await h.command('U0OPS2', 'dms stop')).toContain('which <@U0OPS1> holds');
    expect(dms.callsOf('StopReplicationTask')).toHaveLength(0);
    expect(await h.command('U0OPS1', 'dms stop')).toContain('is stopping');
    expect(dms.callsOf('StopReplicationTask')).toHaveLength(1);
    task.Status = 'stopped';
    expect(await h.command('U0OPS1', 'dms resume')).toContain('is starting');
    expect(dms.callsOf('StartReplicationTask').at(-1)!.body.StartReplicationTaskType).toBe('resume-processing');
    task.Status = 'running';
  });

  test('a table reload and a full reload run only after approval, once', async () => {
    const reply = await h.command('U0OPS1', 'dms reload public.orders public.users');
    expect(reply).toContain('approval request is posted');
    expect(dms.callsOf('ReloadTables')).toHaveLength(0);
    const [req] = await h.bots[0].cutover.approvalStore.pending();
    expect(req.steps[0]).toContain('public.orders, public.users');
    await h.slack.replyTo((await h.click('U0APP1', APPROVE_ACTION, req.id)).key);
    await h.slack.replyTo((await h.click('U0APP2', APPROVE_ACTION, req.id)).key);
    await eventually(() => dms.callsOf('ReloadTables').length === 1, 5000, 'the reload');
    expect(dms.callsOf('ReloadTables')[0].body.TablesToReload).toEqual([
      { SchemaName: 'public', TableName: 'orders' },
      { SchemaName: 'public', TableName: 'users' },
    ]);

    expect(await h.command('U0OPS1', 'dms start --reload-target')).toContain('approval request is posted');
    const [full] = await h.bots[0].cutover.approvalStore.pending();
    const starts = dms.callsOf('StartReplicationTask').length;
    await h.slack.replyTo((await h.click('U0APP3', APPROVE_ACTION, full.id)).key);
    await h.slack.replyTo((await h.click('U0APP4', APPROVE_ACTION, full.id)).key);
    await eventually(() => dms.callsOf('StartReplicationTask').length === starts + 1, 5000, 'the full reload');
    expect(dms.callsOf('StartReplicationTask').at(-1)!.body.StartReplicationTaskType).toBe('reload-target');
    await h.command('U0OPS1', 'unlock');
  });

  test('wrong arguments get the usage', async () => {
    expect(await h.command('U0ANYONE', 'dms frobnicate')).toContain('Usage: `/migrate dms [hop]');
    expect(await h.command('U0OPS1', 'dms reload orders')).toContain('"orders" is not schema.table');
  });
});

describe('DMS progress in the periodic channel update', () => {
  test('the update carries one line of DMS progress', async () => {
    const dms = await new DmsStandIn().start();
    const saved = { ...process.env };
    process.env.AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE = dms.url;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDTESTTEST';
    process.env.AWS_SECRET_ACCESS_KEY = 'test-secret-key';
    const task = dms.addTask('progress');
    task.ReplicationTaskStats.FullLoadProgressPercent = 55;
    task.tables = standInTables(4);
    const h = await BotHarness.start({ plan: dmsPlan('progress') });
    try {
      const line = await h.bots[0].cutover.dms.progressLine();
      await h.bots[0].cutover.monitor.postUpdate(Date.now(), line ? [line] : []);
      const text = messageText(h.slack.callsOf('chat.postMessage')[0].args);
      expect(text).toContain('DMS *progress*: running · 55% loaded · ETA not known yet · 0 errored tables');
    } finally {
      await h.stop();
      await dms.stop();
      process.env = saved;
    }
  });
});
