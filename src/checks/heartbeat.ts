import { quoteIdent, type Queryable } from '../db/database';

export interface HeartbeatTable {
  schema: string;
  table: string;
}

export interface Heartbeat {
  seq: number;
  /** When the source wrote it, by the source's clock (ms). */
  at: number;
}

const name = (t: HeartbeatTable) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;

/**
 * Creates the heartbeat table on a source: one row per source database, bumped every few
 * seconds. Needs only CREATE on the schema (a plain role, as on Heroku).
 */
export async function setupHeartbeat(db: Queryable, t: HeartbeatTable): Promise<void> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${name(t)} (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamptz NOT NULL)`,
  );
  // Whatever role reads the target (a monitoring role on a standby) must see the heartbeats.
  await db.query(`GRANT SELECT ON ${name(t)} TO PUBLIC`);
}

/** Writes the next heartbeat of `source` (its own clock) and returns it. */
export async function writeHeartbeat(db: Queryable, t: HeartbeatTable, source: string): Promise<Heartbeat> {
  const { rows } = await db.query<{ seq: string; beat_at: Date }>(
    `INSERT INTO ${name(t)} AS h (source, seq, beat_at) VALUES ($1, 1, clock_timestamp())
     ON CONFLICT (source) DO UPDATE SET seq = h.seq + 1, beat_at = clock_timestamp()
     RETURNING seq, beat_at`,
    [source],
  );
  return { seq: Number(rows[0].seq), at: rows[0].beat_at.getTime() };
}

/** The newest heartbeat of `source` visible on this database; undefined if none has arrived. */
export async function readHeartbeat(db: Queryable, t: HeartbeatTable, source: string): Promise<Heartbeat | undefined> {
  // The epoch in SQL: a target column made by DMS or by hand may be `timestamp` (UTC, no zone), which
  // node-postgres would read in the bot's own time zone, hours off the source's clock.
  const { rows } = await db.query<{ seq: string; at: string }>(`SELECT seq, floor(extract(epoch FROM beat_at) * 1000) AS at FROM ${name(t)} WHERE source = $1`, [source]);
  return rows[0] ? { seq: Number(rows[0].seq), at: Number(rows[0].at) } : undefined;
}

/** A target's timestamp may be stored coarser than the source's (timestamp(0), a DMS-made column): this much is allowed. */
const HEARTBEAT_TIME_SLACK_MS = 1000;

/**
 * Whether what the target shows is `beat` or a later heartbeat: its number and its time, both from
 * the source's clock. The number alone is not enough: a heartbeat table set up again on the source
 * counts from 1 while the target may still hold a higher number from before.
 */
export function showsHeartbeat(seen: Heartbeat | undefined, beat: Heartbeat): boolean {
  return seen !== undefined && seen.seq >= beat.seq && seen.at >= beat.at - HEARTBEAT_TIME_SLACK_MS;
}
