import type { LagSample } from '../checks/lag-sample';
import type { CutoverRun } from '../cutover/cutover-run';
import type { Plan } from '../plan/plan';
import type { MigrationRecord } from '../state/migration-state';
import type { DmsFigures, GateRecord } from './metric-records';

/** What a scrape reads, as narrow ports over the bot's own stores. */
export interface MetricSources {
  plan: Plan;
  latestSample(hop: string): Promise<LagSample | undefined>;
  run(hop: string): Promise<CutoverRun | undefined>;
  gates(hop: string): Promise<GateRecord | null>;
  dms(hop: string): Promise<DmsFigures | null>;
  migration(): Promise<MigrationRecord>;
  lock(): Promise<{ acquiredAt: number } | undefined>;
  pendingApprovals(): Promise<number>;
  runsJobs(): boolean;
  /** This bot process (pid and a random part): which one answered the scrape. */
  processId: string;
}

/** A value read in time, or `unknown` when its store did not answer within the bound (or failed). */
export type Read<T> = { known: true; value: T } | { known: false };

export interface HopSnapshot {
  sample: Read<LagSample | undefined>;
  run: Read<CutoverRun | undefined>;
  gates: Read<GateRecord | null>;
  dms: Read<DmsFigures | null>;
}

/** Everything one scrape shows, read once, together, within one bound. */
export interface MetricsSnapshot {
  at: number;
  hops: Record<string, HopSnapshot>;
  migration: Read<MigrationRecord>;
  lock: Read<{ acquiredAt: number } | undefined>;
  pendingApprovals: Read<number>;
  runsJobs: boolean;
  processId: string;
  /** Every read answered in time. */
  storeAnswered: boolean;
}

/** Resolves with the value, or `unknown` once `deadline` (ms since epoch) passes or the read fails. */
export function readBy<T>(read: () => Promise<T>, deadline: number): Promise<Read<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ known: false }), Math.max(0, deadline - Date.now()));
    read().then(
      (value) => {
        clearTimeout(timer);
        resolve({ known: true, value });
      },
      () => {
        clearTimeout(timer);
        resolve({ known: false });
      },
    );
  });
}

/** Reads every store concurrently; whatever has not answered `boundMs` from now is unknown. */
export async function readSnapshot(s: MetricSources, boundMs: number, now = Date.now()): Promise<MetricsSnapshot> {
  const deadline = now + boundMs;
  const hops = await Promise.all(
    s.plan.hops.map(async (h): Promise<[string, HopSnapshot]> => {
      const [sample, run, gates, dms] = await Promise.all([readBy(() => s.latestSample(h.id), deadline), readBy(() => s.run(h.id), deadline), readBy(() => s.gates(h.id), deadline), readBy(() => s.dms(h.id), deadline)]);
      return [h.id, { sample, run, gates, dms }];
    }),
  );
  const [migration, lock, pendingApprovals] = await Promise.all([readBy(() => s.migration(), deadline), readBy(() => s.lock(), deadline), readBy(() => s.pendingApprovals(), deadline)]);
  const all = [migration, lock, pendingApprovals, ...hops.flatMap(([, x]) => [x.sample, x.run, x.gates, x.dms])];
  return { at: now, hops: Object.fromEntries(hops), migration, lock, pendingApprovals, runsJobs: s.runsJobs(), processId: s.processId, storeAnswered: all.every((r) => r.known) };
}

/**
 * One snapshot per scrape: prom-client collects every gauge at once, and each asks for the
 * snapshot; they share the read in flight, so Redis is read once per scrape, and a scrape never
 * sees an older one.
 */
export class ScrapeSnapshot {
  private inFlight?: Promise<MetricsSnapshot>;

  constructor(
    private readonly sources: MetricSources,
    private readonly boundMs: number,
  ) {}

  get(): Promise<MetricsSnapshot> {
    if (this.inFlight) return this.inFlight;
    const read = readSnapshot(this.sources, this.boundMs);
    this.inFlight = read;
    void read.finally(() => {
      if (this.inFlight === read) this.inFlight = undefined;
    });
    return read;
  }
}
