import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setupHeartbeat, showsHeartbeat, writeHeartbeat, type Heartbeat } from '../../src/checks/heartbeat';
import type { Queryable } from '../../src/db/database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/** readHeartbeat in a bot process running in time zone `tz`. */
async function readInZone(url: string, tz: string): Promise<Heartbeat | undefined> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(__dirname, 'read-heartbeat-in-zone.ts'), url, 'dms_made', 'cutover_heartbeat', 'ec2'], { cwd: ROOT, env: { ...process.env, TZ: tz } });
  return (JSON.parse(stdout) as Heartbeat | null) ?? undefined;
}

/**
 * A target heartbeat table made by DMS (or by hand) has `beat_at timestamp` without time zone, holding
 * the source's time in UTC. Whether the target shows a heartbeat must not depend on the bot's TZ.
 */
describe("the target's heartbeat in a timestamp column without time zone", () => {
  const folder = new ClusterFolder();
  let db: PgCluster;
  /** The source's heartbeat table, in the same cluster as the DMS-made one. */
  const source: Queryable = { query: async <R>(text: string, params?: unknown[]) => ({ rows: await db.sql<R>(text, params) }) };

  beforeAll(async () => {
    db = await PgCluster.fresh(folder, 'tz');
    await setupHeartbeat(source, { schema: 'public', table: 'cutover_heartbeat' });
    await db.sql('CREATE SCHEMA dms_made');
    await db.sql('CREATE TABLE dms_made.cutover_heartbeat (source text PRIMARY KEY, seq bigint NOT NULL, beat_at timestamp(3) NOT NULL)');
  });
  afterAll(async () => {
    await db.stop('immediate');
    folder.remove();
  });

  const writeOnSource = () => writeHeartbeat(source, { schema: 'public', table: 'cutover_heartbeat' }, 'ec2');
  /** What DMS applies: the row, its time as UTC wall time. */
  const carry = (seq: number, at: string) =>
    db.sql(`INSERT INTO dms_made.cutover_heartbeat VALUES ('ec2', $1, ($2::timestamptz AT TIME ZONE 'UTC')) ON CONFLICT (source) DO UPDATE SET seq = EXCLUDED.seq, beat_at = EXCLUDED.beat_at`, [seq, at]);

  it('counts as arrived for a bot east of UTC (else the fence hangs until its timeout)', async () => {
    const beat = await writeOnSource();
    await carry(beat.seq, new Date(beat.at).toISOString());
    expect(showsHeartbeat(await readInZone(db.url(), 'Asia/Tokyo'), beat)).toBe(true);
  });

  it('does not count an older, higher-numbered heartbeat for a bot west of UTC (the reset table the fence must not pass)', async () => {
    await carry(5000, new Date(Date.now() - 2 * 3600_000).toISOString());
    const beat = await writeOnSource();
    expect(showsHeartbeat(await readInZone(db.url(), 'America/Los_Angeles'), beat)).toBe(false);
  });
});
