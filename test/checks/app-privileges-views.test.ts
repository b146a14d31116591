import { grantStatements, privilegeGaps, readRolePrivileges } from '../../src/checks/app-privileges';
import { openDatabase, type Database } from '../../src/db/database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

const HEARTBEAT = { schema: 'public', table: 'cutover_heartbeat' };

// The app reads a view and writes through another: a target where the app role lacks them breaks the app after the cutover.
describe("the app role's check covers views, not only tables", () => {
  const folder = new ClusterFolder();
  let source: PgCluster;
  let target: PgCluster;
  const dbs: Database[] = [];
  beforeAll(async () => {
    [source, target] = await Promise.all([PgCluster.fresh(folder, 'views-source'), PgCluster.fresh(folder, 'views-target')]);
    for (const c of [source, target]) {
      await c.sql("CREATE ROLE acme_app LOGIN PASSWORD 'pw'");
      await c.sql(`CREATE TABLE orders (id int PRIMARY KEY, cents int);
        CREATE VIEW order_totals AS SELECT count(*) AS n, sum(cents) AS cents FROM orders;
        CREATE VIEW open_orders AS SELECT * FROM orders WHERE cents > 0;
        GRANT SELECT, INSERT, UPDATE, DELETE ON orders TO acme_app;`);
    }
    await source.sql('GRANT SELECT ON order_totals TO acme_app; GRANT SELECT, INSERT ON open_orders TO acme_app');
    await target.sql('GRANT SELECT ON order_totals TO acme_app');
  });
  afterAll(async () => {
    await Promise.all(dbs.map((d) => d.close()));
    await Promise.all([source.stop('immediate'), target.stop('immediate')]);
    folder.remove();
  });

  test('a view the app used on the source without its grant on the target is a gap, with the GRANT', async () => {
    const [s, t] = [openDatabase(source.url('postgres', 'acme_app', 'pw')), openDatabase(target.url('postgres', 'acme_app', 'pw'))];
    dbs.push(s, t);
    const gaps = privilegeGaps(await readRolePrivileges(s, HEARTBEAT), await readRolePrivileges(t, HEARTBEAT));
    expect(gaps.tables).toEqual([{ table: '"public"."open_orders"', missing: ['SELECT', 'INSERT'] }]);
    expect(grantStatements(gaps).join('\n')).toContain('GRANT SELECT, INSERT ON TABLE "public"."open_orders" TO "acme_app";');
  });
});
