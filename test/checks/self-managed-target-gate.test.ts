import { randomBytes } from 'node:crypto';
import { selfManagedTargetGates } from '../../src/checks/self-managed-target-gate';
import { openDatabase, type Database } from '../../src/db/database';
import { GateRunner } from '../../src/gates/gate-runner';
import { parsePlan } from '../../src/plan/load-plan';
import type { Hop } from '../../src/plan/plan';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

function hop(method: 'logical' | 'physical', rds = ''): Hop {
  return parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, target: { url_env: TARGET_URL${rds} } }
hops:
  - { id: to-target, method: ${method}, source: ec2, target: target${method === 'logical' ? ', subscription: cutover' : ''} }
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`).hops[0];
}

describe("before the cutover, a self-managed target's archiving and standbys are warnings when missing, never NO-GO", () => {
  const folder = new ClusterFolder();
  let bare: PgCluster;
  let primary: PgCluster;
  let standby: PgCluster;
  const open: Database[] = [];
  const db = (c: PgCluster) => {
    const d = openDatabase(c.url());
    open.push(d);
    return d;
  };
  const evaluate = (h: Hop, target: () => Database) => new GateRunner(5000, 0).evaluate(selfManagedTargetGates(h, target), { fresh: true });

  beforeAll(async () => {
    [bare, primary] = await Promise.all([PgCluster.fresh(folder, 'bare'), PgCluster.primary(folder, 'archiving')]);
    standby = await PgCluster.streamingStandby(primary, 'standby');
  });
  afterAll(async () => {
    await Promise.all(open.map((d) => d.close()));
    await Promise.all([bare, standby, primary].map((c) => c?.stop('immediate')));
    folder.remove();
  });

  test('no archiving and no standby: two warnings with their reasons, and still GO', async () => {
    const bareDb = db(bare);
    const r = await evaluate(hop('logical'), () => bareDb);
    expect(r.go).toBe(true);
    expect(r.results.map((x) => [x.id, x.status, x.value])).toEqual([
      ['target.archiving', 'warn', 'WAL archiving OFF'],
      ['target.standbys', 'warn', '0 standbys'],
    ]);
    expect(r.results[0].detail).toMatch(/no point-in-time recovery/);
    expect(r.results[1].detail).toMatch(/no standby streams/);
  });

  test('archiving that has archived, and a streaming standby: both ok', async () => {
    const primaryDb = db(primary);
    await eventually(async () => {
      await primary.sql('CREATE TABLE IF NOT EXISTS t (n int); INSERT INTO t SELECT generate_series(1, 1000)');
      const r = await evaluate(hop('logical'), () => primaryDb);
      return r.results.every((x) => x.status === 'ok') ? r : undefined;
    }, 15_000, 'a segment archived and the standby streaming');
    const r = await evaluate(hop('logical'), () => primaryDb);
    expect(r.results.map((x) => x.value)).toEqual([expect.stringMatching(/^archiving: \d+ archived, 0 failed$/), '1 standby']);
  });

  test('a target that cannot be reached is a warning here (the lag gate is what blocks on it)', async () => {
    const r = await evaluate(hop('logical'), () => {
      throw new Error('environment variable TARGET_URL (database target) is not set');
    });
    expect(r.go).toBe(true);
    expect(r.results[0]).toMatchObject({ status: 'warn', detail: expect.stringMatching(/TARGET_URL .* is not set/) });
  });

  test('a physical standby (checked once promoted) and an RDS target (its own gate) get no such gate', () => {
    expect(selfManagedTargetGates(hop('physical'), () => db(bare))).toEqual([]);
    expect(selfManagedTargetGates(hop('logical', ', rds: { cluster: c, region: us-east-1 }'), () => db(bare))).toEqual([]);
  });
});
