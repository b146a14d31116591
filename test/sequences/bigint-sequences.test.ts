import { DatabaseSet } from '../../src/db/database-set';
import { sequenceGateResult } from '../../src/sequences/sequence-gate';
import { SequenceService } from '../../src/sequences/sequence-service';
import { sequencesCheckView, sequencesCsv } from '../../src/views/sequences-view';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { replicationPlan } from '../support/replication-plan';

const TWO_62 = 2n ** 62n;

/**
 * Bigint sequences past 2^53, where a JS number can no longer tell neighbours apart: at 2^62
 * ascending, and descending at both ends of their range (near -1 and near -2^62).
 */
describe('bigint sequences past 2^53', () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let dbs: DatabaseSet;
  let service: SequenceService;
  const plan = replicationPlan({ method: 'logical', subscription: 'sub' });
  const hop = plan.hops[0];
  const ddl = `
    CREATE SEQUENCE up_seq START WITH ${TWO_62};
    CREATE TABLE up_ok (id bigint PRIMARY KEY DEFAULT nextval('up_seq'));
    CREATE SEQUENCE up_behind_seq START WITH ${TWO_62};
    CREATE TABLE up_behind (id bigint PRIMARY KEY DEFAULT nextval('up_behind_seq'));
    CREATE SEQUENCE down_far_seq INCREMENT BY -1 MINVALUE ${-(2n ** 63n)} MAXVALUE -1 START WITH ${-TWO_62};
    CREATE TABLE down_far (id bigint PRIMARY KEY DEFAULT nextval('down_far_seq'));
    CREATE SEQUENCE down_near_seq INCREMENT BY -1 MAXVALUE -1 START WITH -1;
    CREATE TABLE down_near (id bigint PRIMARY KEY DEFAULT nextval('down_near_seq'));
  `;

  beforeAll(async () => {
    source = await PgCluster.fresh(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) {
      await c.sql('CREATE DATABASE app');
      await c.sql(ddl, [], 'app');
    }
    // The source's sequences have moved on with its rows.
    await source.sql(`SELECT setval('up_seq', ${TWO_62 + 500n}); SELECT setval('up_behind_seq', ${TWO_62 + 1000n}); SELECT setval('down_far_seq', ${-TWO_62 - 700n}); SELECT setval('down_near_seq', -300)`, [], 'app');
    await target.sql(
      // up_ok: the next value is exactly one past the max, 2^62 + 501 vs 2^62 + 500: a float sees them equal.
      `INSERT INTO up_ok VALUES (${TWO_62 + 500n}); SELECT setval('up_seq', ${TWO_62 + 500n});
       INSERT INTO up_behind SELECT ${TWO_62} + g FROM generate_series(0, 1000) g;
       INSERT INTO down_far SELECT ${-TWO_62} - g FROM generate_series(0, 700) g;
       INSERT INTO down_near SELECT -g FROM generate_series(1, 300) g;`,
      [],
      'app',
    );
    dbs = new DatabaseSet(plan, { SOURCE_URL: source.url('app'), TARGET_URL: target.url('app') });
    service = new SequenceService(dbs, 0);
  });
  afterAll(async () => {
    await dbs.closeAll();
    await source.stop('immediate');
    await target.stop('immediate');
    folder.remove();
  });

  test('a sequence one past its max at 2^62 is ahead, not behind, and about half used, not "111 % used"', async () => {
    const { audit, sourceError } = await service.audit(hop);
    expect(sourceError).toBeUndefined();
    const up = audit.findings.find((f) => f.sequence === 'public.up_seq')!;
    expect(up).toMatchObject({ next: TWO_62 + 501n, extreme: TWO_62 + 500n, sourceNext: TWO_62 + 501n, problems: [] });
    expect(up.used).toBeGreaterThan(0.49);
    expect(up.used).toBeLessThan(0.51);
    const behind = audit.findings.find((f) => f.sequence === 'public.up_behind_seq')!;
    expect(behind).toMatchObject({ next: TWO_62, extreme: TWO_62 + 1000n, sourceNext: TWO_62 + 1001n, problems: ['behind', 'behind-source'] });
  });

  test('descending sequences at both ends of their range are judged exactly', async () => {
    const { audit } = await service.audit(hop);
    const far = audit.findings.find((f) => f.sequence === 'public.down_far_seq')!;
    expect(far).toMatchObject({ increment: -1n, next: -TWO_62, extreme: -TWO_62 - 700n, sourceNext: -TWO_62 - 701n, problems: ['behind', 'behind-source'] });
    expect(far.used).toBeGreaterThan(0.49);
    expect(far.used).toBeLessThan(0.51);
    const near = audit.findings.find((f) => f.sequence === 'public.down_near_seq')!;
    expect(near).toMatchObject({ next: -1n, extreme: -300n, sourceNext: -301n, problems: ['behind', 'behind-source'] });
    expect(near.used).toBe(0);
  });

  test('the gate warns (the cutover fixes them) instead of failing as near the maximum; the view and the CSV print exact values', async () => {
    const { audit } = await service.audit(hop);
    expect(sequenceGateResult('dms', 'aurora', audit)).toMatchObject({ status: 'warn', value: '3 behind, 0 lost defaults' });
    const text = JSON.stringify(sequencesCheckView(hop, audit));
    expect(text).toContain(`next ${TWO_62}, max ${TWO_62 + 1000n}, source next ${TWO_62 + 1001n}`);
    expect(text).not.toContain('% used');
    const csv = sequencesCsv(audit);
    expect(csv).toContain(`"public.up_seq","public.up_ok.id","1","${TWO_62 + 501n}","${TWO_62 + 500n}","${TWO_62 + 501n}"`);
    expect(csv).toContain(`"public.down_far_seq","public.down_far.id","-1","${-TWO_62}","${-TWO_62 - 700n}","${-TWO_62 - 701n}"`);
  });

  test('the fix sets each to exactly one past its max (or the source), and the next inserts succeed', async () => {
    const { sql } = await service.plan(hop);
    expect(sql.map((s) => s.sql).join('\n')).not.toContain('up_ok');
    await service.apply(hop, sql);
    const up = await target.sql<{ id: string }>('INSERT INTO up_behind DEFAULT VALUES RETURNING id', [], 'app');
    expect(BigInt(up[0].id)).toBe(TWO_62 + 1001n);
    const far = await target.sql<{ id: string }>('INSERT INTO down_far DEFAULT VALUES RETURNING id', [], 'app');
    expect(BigInt(far[0].id)).toBe(-TWO_62 - 701n);
    const near = await target.sql<{ id: string }>('INSERT INTO down_near DEFAULT VALUES RETURNING id', [], 'app');
    expect(BigInt(near[0].id)).toBe(-301n);
    const { audit } = await service.audit(hop);
    expect(audit.findings.filter((f) => f.problems.length)).toEqual([]);
  });
});
