import type { Queryable } from '../db/database';
import type { Transport } from '../db/tls-options';
import type { Hop } from '../plan/plan';
import { readHeartbeat, type Heartbeat, type HeartbeatTable } from './heartbeat';
import { readArchiver, readReplicaConnections, readSourceWal, readStandby, type ArchiverState, type ReplicaConnection, type SourceWal, type StandbyState } from './physical-probes';
import { lsnDistance } from './wal-position';

/** Whether one side answered, and if not, why. */
export interface SideReach {
  ok: boolean;
  error?: string;
  ms: number;
}

/** One observation of a hop's replication; null means "could not tell", never zero. */
export interface LagSample {
  hop: string;
  at: number;
  source: SideReach;
  target: SideReach;
  /** End-to-end lag from the heartbeat, in seconds. */
  heartbeatLagSeconds: number | null;
  /** The source's clock at the sample (ms), to age heartbeats without trusting our own clock. */
  sourceClock: number | null;
  sourceHeartbeat: Heartbeat | null;
  targetHeartbeat: Heartbeat | null;
  /** Since when (source clock, ms) the target has shown `targetHeartbeat`; set from the previous sample. */
  targetHeartbeatSince?: number;
  /** Physical hops: bytes of WAL the target has not replayed yet. */
  byteLag: number | null;
  /** Physical hops: source → received (not yet received), received → replayed. */
  receiveBacklogBytes: number | null;
  replayBacklogBytes: number | null;
  /** Physical hops: the source's WAL position (the catch-up ETA's write rate); absent in older samples. */
  sourceLsn?: string | null;
  standby: StandbyState | null;
  sourceReplicas: ReplicaConnection[] | 'hidden' | null;
  /** WAL archiving on the source (the new primary of the previous hop: "are backups working"). */
  sourceArchiver: ArchiverState | null;
  /** A target that is a primary (after promotion): its own standbys and archiving. */
  targetReplicas: ReplicaConnection[] | 'hidden' | null;
  targetArchiver: ArchiverState | null;
  /** What the bot's connection to each end is (plain, encrypted, verified); absent in older samples. */
  sourceTransport?: Transport;
  targetTransport?: Transport;
}

/** A database the sample reads; one opened by the bot also says what its connection is. */
type SampledDatabase = Queryable & { transport?(): Transport | undefined };

export interface SampleInput {
  hop: Hop;
  source: SampledDatabase;
  target: SampledDatabase;
  heartbeat: HeartbeatTable;
  now?: () => number;
}

async function reach<T>(work: () => Promise<T>): Promise<{ value?: T; reach: SideReach }> {
  const started = Date.now();
  try {
    const value = await work();
    return { value, reach: { ok: true, ms: Date.now() - started } };
  } catch (e) {
    return { reach: { ok: false, error: (e as Error).message, ms: Date.now() - started } };
  }
}

/** Reads both ends of a hop concurrently; an end that fails or times out yields nulls and its error. */
export async function takeLagSample({ hop, source, target, heartbeat, now = Date.now }: SampleInput): Promise<LagSample> {
  const physical = hop.method === 'physical';
  const [src, tgt] = await Promise.all([
    reach(async () => {
      const [wal, beat, archiver] = await Promise.all([
        physical ? readSourceWal(source) : undefined,
        readHeartbeat(source, heartbeat, hop.source.id).catch(absentTable),
        readArchiver(source),
      ]);
      const clock = wal?.now ?? (await source.query<{ now: Date }>('SELECT clock_timestamp() AS now')).rows[0].now.getTime();
      return { wal, beat, clock, archiver };
    }),
    reach(async () => {
      const standby = physical ? await readStandby(target, hop.standbyFeed) : null;
      const promoted = !standby || !standby.inRecovery;
      const [beat, archiver, replicas] = await Promise.all([
        readHeartbeat(target, heartbeat, hop.source.id).catch(absentTable),
        physical && promoted ? readArchiver(target) : undefined,
        physical && promoted ? readReplicaConnections(target) : undefined,
      ]);
      return { standby, beat, archiver, replicas };
    }),
  ]);
  const s = src.value;
  const t = tgt.value;
  return {
    hop: hop.id,
    at: now(),
    source: src.reach,
    target: tgt.reach,
    heartbeatLagSeconds: heartbeatLag(s?.beat, t?.beat, s?.clock),
    sourceClock: s?.clock ?? null,
    sourceHeartbeat: s?.beat ?? null,
    targetHeartbeat: t?.beat ?? null,
    ...walLag(s?.wal, t?.standby ?? undefined),
    sourceLsn: s?.wal?.lsn ?? null,
    standby: t?.standby ?? null,
    sourceReplicas: s?.wal?.replicas ?? null,
    sourceArchiver: s?.archiver ?? null,
    targetReplicas: t?.replicas ?? null,
    targetArchiver: t?.archiver ?? null,
    sourceTransport: source.transport?.(),
    targetTransport: target.transport?.(),
  };
}

/** No heartbeat table yet (setup not run, or not replayed to a standby yet) reads as "no heartbeat". */
function absentTable(e: Error): undefined {
  if ((e as Error & { code?: string }).code === '42P01') return undefined;
  throw e;
}

/**
 * End-to-end lag by the source's clock: zero when the target has the source's newest heartbeat,
 * otherwise the age of the newest heartbeat it has. Both times are the source's, so clock skew
 * between hosts does not matter.
 */
function heartbeatLag(sourceBeat: Heartbeat | undefined, targetBeat: Heartbeat | undefined, sourceClock: number | undefined): number | null {
  if (!sourceBeat || !targetBeat || sourceClock === undefined) return null;
  if (targetBeat.seq >= sourceBeat.seq) return 0;
  return Math.max(0, (sourceClock - targetBeat.at) / 1000);
}

function walLag(wal: SourceWal | undefined, standby: StandbyState | undefined): Pick<LagSample, 'byteLag' | 'receiveBacklogBytes' | 'replayBacklogBytes'> {
  if (!wal || !standby || !standby.inRecovery || !standby.replayLsn) return { byteLag: null, receiveBacklogBytes: null, replayBacklogBytes: null };
  return {
    byteLag: lsnDistance(wal.lsn, standby.replayLsn),
    receiveBacklogBytes: standby.receiveLsn ? lsnDistance(wal.lsn, standby.receiveLsn) : null,
    replayBacklogBytes: standby.receiveLsn ? lsnDistance(standby.receiveLsn, standby.replayLsn) : null,
  };
}
