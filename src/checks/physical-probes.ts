import type { Queryable } from '../db/database';

export interface ReplicaConnection {
  name: string;
  state: string | null;
  replayLsn: string | null;
}

export interface SourceWal {
  lsn: string;
  /** The source's clock when it was read (ms). */
  now: number;
  /** Its standbys from pg_stat_replication; "hidden" when the role may not see them (no pg_monitor). */
  replicas: ReplicaConnection[] | 'hidden';
}

/** How the standby gets its WAL: streaming from the source, replayed from an archive, or not at all. */
export type WalFeed = 'streaming' | 'archive' | 'down' | 'hidden' | 'none';

export interface StandbyState {
  inRecovery: boolean;
  receiveLsn: string | null;
  replayLsn: string | null;
  replayPaused: boolean | null;
  lastReplayAt: number | null;
  feed: WalFeed;
}

export interface ArchiverState {
  mode: string;
  /** archive_library or else archive_command; null when the role may not see it. */
  command: string | null;
  archived: number;
  failed: number;
  lastArchivedAt: number | null;
  lastFailedAt: number | null;
}

/** The source's current WAL position and clock, and what it will tell about its standbys. */
export async function readSourceWal(db: Queryable): Promise<SourceWal> {
  const [{ rows: pos }, replicas] = await Promise.all([
    db.query<{ lsn: string; now: Date }>('SELECT pg_current_wal_lsn()::text AS lsn, clock_timestamp() AS now'),
    readReplicaConnections(db),
  ]);
  return { lsn: pos[0].lsn, now: pos[0].now.getTime(), replicas };
}

/** pg_stat_replication: without pg_monitor the rows are there but their columns read NULL. */
export async function readReplicaConnections(db: Queryable): Promise<ReplicaConnection[] | 'hidden'> {
  const { rows } = await db.query<{ application_name: string; state: string | null; replay_lsn: string | null }>(
    'SELECT application_name, state, replay_lsn::text AS replay_lsn FROM pg_stat_replication',
  );
  if (rows.length && rows.every((r) => r.state === null)) return 'hidden';
  return rows.map((r) => ({ name: r.application_name, state: r.state, replayLsn: r.replay_lsn }));
}

/** A standby's recovery state; `expectedFeed` (from the plan) overrides the guess between archive-fed and broken. */
export async function readStandby(db: Queryable, expectedFeed?: 'streaming' | 'archive'): Promise<StandbyState> {
  const { rows } = await db.query<{
    in_recovery: boolean;
    receive_lsn: string | null;
    replay_lsn: string | null;
    paused: boolean | null;
    last_replay: Date | null;
    receivers: string;
    receiver_status: string | null;
  }>(
    `SELECT pg_is_in_recovery() AS in_recovery,
            pg_last_wal_receive_lsn()::text AS receive_lsn,
            pg_last_wal_replay_lsn()::text AS replay_lsn,
            CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS paused,
            pg_last_xact_replay_timestamp() AS last_replay,
            (SELECT count(*) FROM pg_stat_wal_receiver) AS receivers,
            (SELECT status FROM pg_stat_wal_receiver LIMIT 1) AS receiver_status`,
  );
  const r = rows[0];
  return {
    inRecovery: r.in_recovery,
    receiveLsn: r.receive_lsn,
    replayLsn: r.replay_lsn,
    replayPaused: r.paused,
    lastReplayAt: r.last_replay ? r.last_replay.getTime() : null,
    feed: classifyFeed(r.in_recovery, Number(r.receivers), r.receiver_status, r.receive_lsn, expectedFeed),
  };
}

function classifyFeed(inRecovery: boolean, receivers: number, status: string | null, receiveLsn: string | null, expected?: 'streaming' | 'archive'): WalFeed {
  if (!inRecovery) return 'none';
  if (receivers > 0) {
    if (status === null) return 'hidden';
    return status === 'streaming' ? 'streaming' : 'down';
  }
  if (expected === 'archive') return 'archive';
  if (expected === 'streaming') return 'down';
  // No WAL receiver and nothing ever received over one: fed from the archive (wal-g restore_command).
  return receiveLsn === null ? 'archive' : 'down';
}

/** WAL archiving on a primary (pg_stat_archiver): the "are backups working" check after promotion. */
export async function readArchiver(db: Queryable): Promise<ArchiverState> {
  const { rows } = await db.query<{ mode: string; command: string | null; archived_count: string; failed_count: string; last_archived_time: Date | null; last_failed_time: Date | null }>(
    `SELECT current_setting('archive_mode') AS mode,
            -- pg_settings hides archive_command from roles without pg_read_all_settings: null, not an error.
            (SELECT COALESCE(NULLIF(max(setting) FILTER (WHERE name = 'archive_library'), ''), max(setting) FILTER (WHERE name = 'archive_command'))
               FROM pg_settings WHERE name IN ('archive_library', 'archive_command')) AS command,
            archived_count, failed_count, last_archived_time, last_failed_time
       FROM pg_stat_archiver`,
  );
  const r = rows[0];
  return {
    mode: r.mode,
    command: r.command,
    archived: Number(r.archived_count),
    failed: Number(r.failed_count),
    lastArchivedAt: r.last_archived_time?.getTime() ?? null,
    lastFailedAt: r.last_failed_time?.getTime() ?? null,
  };
}
