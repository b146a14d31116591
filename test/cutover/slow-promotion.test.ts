import { Client } from 'pg';
import { DatabaseSet } from '../../src/db/database-set';
import { detachStep } from '../../src/cutover/steps/detach';
import type { RunbookDeps } from '../../src/cutover/steps/step';
import { eventually } from '../support/free-port';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { replicationPlan } from '../support/replication-plan';

const RESTORE_DELAY_SECONDS = 2;

/**
 * An archive-fed standby whose restore_command is slow (a far-away archive): promotion fetches from
 * the archive before it ends, so it takes longer than the bot's statement timeout (2 s in this plan).
 */
describe('promoting an archive-fed standby that takes longer than the statement timeout', () => {
  const folder = new ClusterFolder();
  const plan = replicationPlan({ method: 'physical' });
  const hop = plan.hops[0];
  let primary: PgCluster;
  const standbys: PgCluster[] = [];
  const sets: DatabaseSet[] = [];

  beforeAll(async () => {
    primary = await PgCluster.primary(folder);
    await primary.sql('CREATE TABLE marks (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    for (const s of sets) await s.closeAll();
    for (const s of standbys) await s.stop('immediate');
    await primary.stop('immediate');
    folder.remove();
  });

  /** A slow standby that has replayed mark `n` from the archive. */
  const slowStandby = async (n: number) => {
    const standby = await PgCluster.archiveStandby(primary, `slow-standby-${n}`, undefined, { restoreDelaySeconds: RESTORE_DELAY_SECONDS });
    standbys.push(standby);
    await primary.sql(`INSERT INTO marks VALUES (${n})`);
    await eventually(async () => (await standby.sql('SELECT 1 FROM marks WHERE id = $1', [n])).length === 1, 60_000, `mark ${n} on the standby`);
    const databases = new DatabaseSet(plan, { SOURCE_URL: primary.url(), TARGET_URL: standby.url() }, plan.databaseTimeouts);
    sets.push(databases);
    // The detach step of a physical hop reads only these.
    const deps = { plan, hop, databases, targetUrl: standby.url() } as unknown as RunbookDeps;
    return { standby, deps };
  };
  const inRecovery = async (c: PgCluster) => (await c.sql<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r;

  test('the promote step waits for the promotion under its own timeout, and the standby leaves recovery', async () => {
    expect(plan.databaseTimeouts.statementTimeoutMs).toBe(2000);
    const { standby, deps } = await slowStandby(1);
    const started = Date.now();
    const result = await detachStep(hop).run(deps);
    const took = Date.now() - started;
    expect(result).toMatch(/^promoted: the target left recovery in \d+ ms$/);
    // The regression: it took longer than the pool's statement timeout, and still passed.
    expect(took).toBeGreaterThan(plan.databaseTimeouts.statementTimeoutMs);
    expect(await inRecovery(standby)).toBe(false);
    await standby.sql('INSERT INTO marks VALUES (100)');
    // Run again (a resume after the step was recorded as failed): nothing to do.
    expect(await detachStep(hop).run(deps)).toMatch(/already left recovery/);
  });

  test('a retry after a promote cancelled by its statement timeout asks again (harmless) and waits for the end of recovery', async () => {
    const { standby, deps } = await slowStandby(2);
    // An earlier attempt's promote, cancelled by a short statement timeout: the promotion goes on.
    const earlier = new Client({ connectionString: standby.url(), statement_timeout: 500 });
    await earlier.connect();
    await expect(earlier.query('SELECT pg_promote(true, 60)')).rejects.toThrow(/statement timeout/);
    await earlier.end();
    expect(await inRecovery(standby)).toBe(true);
    expect(await detachStep(hop).run(deps)).toMatch(/^promoted: the target left recovery/);
    expect(await inRecovery(standby)).toBe(false);
  });

  test('a retry while an earlier attempt still waits in pg_promote waits with it instead of asking again', async () => {
    const { standby, deps } = await slowStandby(3);
    const earlier = new Client({ connectionString: standby.url() });
    await earlier.connect();
    const waiting = earlier.query('SELECT pg_promote(true, 60) AS promoted');
    await eventually(async () => (await standby.sql("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'Promote'")).length === 1, 5000, 'the earlier pg_promote to wait');
    expect(await detachStep(hop).run(deps)).toMatch(/promotion requested by an earlier attempt, pid \d+/);
    expect((await waiting).rows[0].promoted).toBe(true);
    await earlier.end();
    expect(await inRecovery(standby)).toBe(false);
  });
});
