import { sequencesStep } from '../../src/cutover/steps/sequences';
import type { RunbookDeps } from '../../src/cutover/steps/step';
import { DatabaseSet } from '../../src/db/database-set';
import { SequenceService } from '../../src/sequences/sequence-service';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { replicationPlan } from '../support/replication-plan';

/**
 * The cutover's sequence step on a copy that lost what logical replication and DMS do not carry:
 * standalone sequences, defaults, identities. Writes are stopped; the step syncs from the source.
 */
describe("the cutover's sequence step", () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  let dbs: DatabaseSet;
  const plan = replicationPlan({ method: 'logical', subscription: 'sub' });
  const hop = plan.hops[0];
  const GAP = 10;
  let deps: RunbookDeps;
  const step = sequencesStep(hop);

  beforeAll(async () => {
    source = await PgCluster.primary(folder, 'source');
    target = await PgCluster.fresh(folder, 'target');
    for (const c of [source, target]) await c.sql('CREATE DATABASE app');
    await source.sql(
      `CREATE SEQUENCE invoice_no START WITH 1000;
       CREATE SEQUENCE receipt_no;
       CREATE SEQUENCE only_on_source INCREMENT BY -5 MAXVALUE -1 START WITH -1;
       CREATE SEQUENCE legacy_counter;
       CREATE TABLE orders (id bigserial PRIMARY KEY, note text);
       CREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
       SELECT nextval('invoice_no') FROM generate_series(1, 4000);
       SELECT nextval('receipt_no') FROM generate_series(1, 70);
       SELECT nextval('only_on_source') FROM generate_series(1, 9);
       SELECT setval('legacy_counter', 555);
       INSERT INTO orders (note) SELECT 'x' FROM generate_series(1, 300);
       -- Rows at the top were deleted on the source: its sequence is ahead of the max the copy sees.
       SELECT setval('orders_id_seq', 900);
       INSERT INTO events (note) SELECT 'x' FROM generate_series(1, 40);`,
      [],
      'app',
    );
    // The copy as DMS leaves it: plain columns, sequences at their start, standalone ones missing or behind.
    await target.sql(
      `CREATE SEQUENCE invoice_no START WITH 1000;
       CREATE SEQUENCE receipt_no;
       SELECT setval('receipt_no', 9000);
       CREATE SEQUENCE legacy_counter;
       CREATE TABLE orders (id bigint PRIMARY KEY, note text);
       CREATE TABLE events (id int PRIMARY KEY, note text);
       INSERT INTO orders SELECT g, 'x' FROM generate_series(1, 300) g;
       INSERT INTO events SELECT g, 'x' FROM generate_series(1, 40) g;`,
      [],
      'app',
    );
    dbs = new DatabaseSet(plan, { SOURCE_URL: source.url('app'), TARGET_URL: target.url('app') });
    deps = { plan, hop, databases: dbs, sequences: new SequenceService(dbs, GAP, ['public.legacy_counter']) } as unknown as RunbookDeps;
  });
  afterAll(async () => {
    await dbs.closeAll();
    await source.stop('immediate');
    await target.stop('immediate');
    folder.remove();
  });

  test('the audit sees standalone sequences by name: missing, behind, ahead; an excluded one is left out', async () => {
    const { audit } = await deps.sequences.audit(hop);
    const by = (s: string) => audit.findings.find((f) => f.sequence === s);
    expect(by('public.invoice_no')).toMatchObject({ columns: [], next: 1000n, sourceNext: 5000n, problems: ['behind-source'] });
    expect(by('public.only_on_source')).toMatchObject({ next: undefined, sourceNext: -46n, problems: ['missing'] });
    expect(by('public.receipt_no')).toMatchObject({ next: 9001n, sourceNext: 71n, problems: [] });
    expect(by('public.legacy_counter')).toBeUndefined();
    expect(audit.missingDefaults.map((m) => [m.source.tableName, m.sourceNext])).toEqual([['events', 41n], ['orders', 901n]]);
    expect(audit.identityToAlways.map((c) => c.tableName)).toEqual(['events']);
  });

  test('a source that cannot be read fails the step, and nothing on the target is touched', async () => {
    // A clean stop: after a crash the source's sequences would come back up to 32 values ahead (as they should).
    await source.stop('fast');
    try {
      await expect(step.run(deps)).rejects.toThrow(/the source's sequences could not be read .*no sequence, standalone sequence or lost default can be synced/);
      const cols = await target.sql<{ atthasdef: boolean; attidentity: string }>("SELECT atthasdef, attidentity FROM pg_attribute WHERE attrelid IN ('orders'::regclass, 'events'::regclass) AND attname = 'id'", [], 'app');
      expect(cols).toEqual([{ atthasdef: false, attidentity: '' }, { atthasdef: false, attidentity: '' }]);
      expect((await target.sql<{ last_value: string }>('SELECT last_value FROM invoice_no', [], 'app'))[0].last_value).toBe('1000');
    } finally {
      await source.start();
    }
  });

  test('resumed with the source back, it syncs standalone sequences, recreates defaults past the source, and switches identities to ALWAYS', async () => {
    const result = await step.run(deps);
    expect(result).toMatch(/statements fixed the sequences; audit afterwards clean; 1 identity columns now GENERATED ALWAYS/);
    // Run again (a resume) before the app writes, it moves nothing: only sequences behind are written.
    expect(await step.run(deps)).toBe('5 sequences ahead of their columns and the source');
    const one = async (sql: string) => (await target.sql<{ v: string }>(sql, [], 'app'))[0].v;
    expect(await one("SELECT nextval('invoice_no')::text AS v")).toBe('5000');
    expect(await one("SELECT nextval('receipt_no')::text AS v")).toBe('9001'); // never moved backwards
    expect(await one("SELECT nextval('only_on_source')::text AS v")).toBe('-46');
    expect(await one("SELECT nextval('legacy_counter')::text AS v")).toBe('1'); // excluded by the plan
    // GREATEST(max + increment + gap, the source's next value): 901, not 311.
    expect(await one("INSERT INTO orders (note) VALUES ('new') RETURNING id::text AS v")).toBe('901');
    expect(await one("INSERT INTO events (note) VALUES ('new') RETURNING id::text AS v")).toBe('51');
    expect(await one("SELECT attidentity::text AS v FROM pg_attribute WHERE attrelid = 'events'::regclass AND attname = 'id'")).toBe('a');
    await expect(target.sql("INSERT INTO events (id, note) VALUES (1000, 'explicit')", [], 'app')).rejects.toThrow(/cannot insert a non-DEFAULT value into column "id"/);
  });

});
