import { Client } from 'pg';
import type { Queryable } from '../../src/db/database';
import { DEFAULT_SEGMENTS, diffKeyedTable, type KeyedPass, type SegmentOptions, type Side } from '../../src/verify/full/keyed-table-diff';
import { Limiter } from '../../src/verify/full/limiter';
import { comparedColumns } from '../../src/verify/full/row-hash';
import { tableSide, type SegmentAggregate } from '../../src/verify/full/segment-sql';
import { readTableShapes, type TableShape } from '../../src/verify/full/table-shape';
import { verifyTable, type TableVerdict } from '../../src/verify/full/table-verdict';
import { ClusterFolder, PgCluster } from './pg-cluster';

/**
 * The full verify's cheap rig: one cluster with a source database and a target database ("src",
 * "tgt"), each made by the same SQL, and a client on each. The verify's own functions are called on
 * them directly; no replication, no bot.
 */
export class VerifyDatabases {
  readonly clients: [Client, Client];

  private constructor(
    private readonly folder: ClusterFolder,
    readonly cluster: PgCluster,
    clients: Client[],
  ) {
    this.clients = [clients[0], clients[1]];
  }

  /** `sessionSql` runs on each client once connected (the verify's session settings, when a test needs them). */
  static async start(name: string, sql: string, sessionSql = "SET TimeZone = 'UTC'"): Promise<VerifyDatabases> {
    const folder = new ClusterFolder();
    const cluster = await PgCluster.fresh(folder, name);
    const clients: Client[] = [];
    for (const db of ['src', 'tgt']) {
      await cluster.sql(`CREATE DATABASE ${db}`);
      await cluster.sql(sql, [], db);
      const c = new Client({ connectionString: cluster.url(db) });
      await c.connect();
      await c.query(sessionSql);
      clients.push(c);
    }
    return new VerifyDatabases(folder, cluster, clients);
  }

  /** A statement on the source (0) or the target (1). */
  q(side: 0 | 1, sql: string): Promise<unknown> {
    return this.clients[side].query(sql);
  }

  /** The table's shape on both sides. */
  shapes(table: string): Promise<[TableShape, TableShape]> {
    return Promise.all(this.clients.map(async (c) => (await readTableShapes(c)).find((x) => x.name === table)!)) as Promise<[TableShape, TableShape]>;
  }

  /** The first pass of a keyed table (segments, bisection, fetch), without the second look. */
  async firstPass(table: string, key: { name: string; type: string }[], segments: SegmentOptions = DEFAULT_SEGMENTS, aggregate: SegmentAggregate = 'bit_xor'): Promise<KeyedPass> {
    const [s, t] = await this.shapes(table);
    const { columns } = comparedColumns(s.columns, t.columns, []);
    const side = (c: Client, which: 'source' | 'target'): Side => ({ db: c, limit: new Limiter(2), table: tableSide('public', table, key, columns, which, aggregate) });
    return diffKeyedTable(side(this.clients[0], 'source'), side(this.clients[1], 'target'), { estimate: s.estimate, pages: s.pages }, segments, () => undefined);
  }

  /** A table's verdict on a live source: `duringLagWindow` runs between the first look and the second, as replication catching up would. */
  async verdict(table: string, duringLagWindow: () => Promise<unknown> = async () => undefined, o: { target?: Queryable; excludedColumns?: string[]; settle?: () => Promise<string | undefined> } = {}): Promise<TableVerdict> {
    const [s, t] = await this.shapes(table);
    return verifyTable(s, t, {
      source: { db: this.clients[0], limit: new Limiter(2) },
      target: { db: o.target ?? this.clients[1], limit: new Limiter(2) },
      segments: DEFAULT_SEGMENTS,
      aggregate: 'bit_xor',
      excludedColumns: o.excludedColumns ?? [],
      settle:
        o.settle ??
        (async () => {
          await duringLagWindow();
          return undefined;
        }),
      onRows: () => undefined,
    });
  }

  /** The target's client wrapped: `look` sees each statement and its result first, and may replace the result. */
  wrappedTarget(look: (sql: string, run: () => Promise<{ rows: unknown[] }>) => Promise<{ rows: unknown[] }>): Queryable {
    const client = this.clients[1];
    return { query: (sql: string, params?: unknown[]) => look(sql, () => client.query(sql, params)) } as unknown as Queryable;
  }


  async stop(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.end()));
    await this.cluster.stop('immediate');
    this.folder.remove();
  }
}
