import type { PgCluster } from '../test/support/pg-cluster';
import { SEED_ORDERS } from './databases';

/** How many orders the "lose rows on Aurora" switch deletes. */
export const ORDERS_TO_LOSE = 3;

/**
 * The "lose rows on Aurora" switch: deletes a few orders on the DMS target behind replication's
 * back, as a faulty task or a stray DELETE would, and puts them back from the source when it is
 * turned off. Only seeded orders are picked: the app never changes them again, so replication
 * never touches them and the loss stays until restored. Their payments stay (the target has no
 * foreign keys, as DMS creates tables): the loss is exactly these orders.
 */
export class LostRows {
  /** The ids of the orders deleted on the target and not restored yet, in ascending order. */
  ids: number[] = [];

  constructor(
    private readonly source: PgCluster,
    private readonly target: PgCluster,
  ) {}

  async lose(): Promise<void> {
    const deleted = await this.target.sql<{ id: string }>(
      `DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE id <= $1 ORDER BY random() LIMIT $2) RETURNING id`,
      [SEED_ORDERS, ORDERS_TO_LOSE],
      'app',
    );
    this.ids = [...this.ids, ...deleted.map((r) => Number(r.id))].sort((a, b) => a - b);
  }

  /** Copies the lost orders back from the source, exactly as they are there. */
  async restore(): Promise<void> {
    if (!this.ids.length) return;
    // As text: a JavaScript Date would drop the timestamps' microseconds, and the rows would differ.
    const rows = await this.source.sql<{ id: string; customer_id: string; amount_cents: string; created_at: string }>(
      'SELECT id::text, customer_id::text, amount_cents::text, created_at::text FROM orders WHERE id = ANY($1::bigint[])',
      [this.ids],
      'app',
    );
    await this.target.sql(
      `INSERT INTO orders (id, customer_id, amount_cents, created_at)
         SELECT * FROM unnest($1::text[]::bigint[], $2::text[]::bigint[], $3::text[]::int[], $4::text[]::timestamptz[]) ON CONFLICT (id) DO NOTHING`,
      [rows.map((r) => r.id), rows.map((r) => r.customer_id), rows.map((r) => r.amount_cents), rows.map((r) => r.created_at)],
      'app',
    );
    this.ids = [];
  }

  /** What the world panel shows. */
  describe(): string {
    return this.ids.length ? `orders id ${this.ids.join(', ')} deleted on Aurora` : '–';
  }
}
