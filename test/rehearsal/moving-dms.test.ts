import { startDatabases, type RehearsalDatabases } from '../../rehearsal/databases';
import { MovingDms } from '../../rehearsal/moving-dms';
import { DmsStandIn } from '../support/dms-stand-in';

/**
 * The rehearsal's DMS task starts on the first describe after StartReplicationTask. The bot describes the
 * task and its tables at once (and the console, /migrate dms status and the schedule all ask): two describes
 * while it is starting used to subscribe twice, and the second CREATE SUBSCRIPTION failed the task.
 */
describe('the rehearsal DMS task', () => {
  let db: RehearsalDatabases;

  beforeAll(async () => {
    db = await startDatabases(() => undefined);
  }, 120_000);

  afterAll(async () => {
    if (!db) return;
    await db.aurora.sql('DROP SUBSCRIPTION IF EXISTS dms_ec2toaurora', [], 'app').catch(() => undefined);
    await Promise.all([db.aurora, db.ec2, db.heroku].map((c) => c.stop('immediate')));
    db.folder.remove();
  });

  test('describes in parallel while it starts subscribe once, and the task runs', async () => {
    const api = new DmsStandIn();
    const task = api.addTask('ec2toaurora', { Status: 'starting' });
    // Heroku stands in for the source: a primary with the publication (EC2 is still a standby here).
    new MovingDms(api, task, db.heroku, db.aurora, 5);
    await Promise.all(['DescribeReplicationTasks', 'DescribeTableStatistics', 'DescribeReplicationTasks'].map((op) => api.beforeAnswer!(op, {})));
    expect(task.LastFailureMessage).toBeUndefined();
    expect(task.Status).toBe('running');
    const subs = await db.aurora.sql<{ n: string }>('SELECT count(*) AS n FROM pg_subscription', [], 'app');
    expect(Number(subs[0].n)).toBe(1);
  }, 60_000);
});
