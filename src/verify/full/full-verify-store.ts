import type { MessageRef } from '../../monitoring/channel-port';
import { updateJson } from '../../state/compare-and-set';
import { inStore, type StateStore } from '../../state/state-store';
import type { TableVerdict } from './table-verdict';

export type FullRunStatus = 'running' | 'cancelling' | 'done' | 'cancelled' | 'failed';

/** One full verify of a hop, as Redis keeps it between restarts. */
export interface FullRun {
  id: string;
  hop: string;
  user: string;
  startedAt: number;
  status: FullRunStatus;
  /** live: the source still takes writes and replicates; fenced: it is fenced (cut over or past the fence). */
  mode?: 'live' | 'fenced';
  message?: MessageRef;
  /** Only these tables ("schema.table"), when the command named some. */
  only?: string[];
  cancelledBy?: string;
  finishedAt?: number;
  failure?: string;
  /** How many times a restarted bot took the run up again. */
  resumes: number;
}

/** The newest finished full verify of a hop: what the gate, health and status read. */
export interface FullVerifySummary {
  runId: string;
  hop: string;
  status: 'done' | 'cancelled' | 'failed';
  mode?: 'live' | 'fenced';
  startedAt: number;
  finishedAt: number;
  tables: number;
  rows: number;
  /** Persistent differences: named keys, unnamed ones, whole tables and table-level problems. */
  differences: number;
  differingTables: number;
  inFlight: number;
  /** Tables without a primary key that kept changing and differed: not shown equal, not shown lost (absent in older summaries). */
  unconfirmedTables?: number;
  failure?: string;
}

/** Redis keys of a hop's full verify, under the quick verify's key. */
export function fullVerifyKeys(base: string) {
  return { run: `${base}:full:run`, tables: `${base}:full:tables`, lease: `${base}:full:lease`, last: `${base}:full:last` };
}

export type FullVerifyKeys = ReturnType<typeof fullVerifyKeys>;

// Renews the lease only for its holder; answers 0 when another process holds it (or nobody).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/** Run, finished tables, lease and last summary of a hop's full verify. */
export class FullVerifyStore {
  constructor(
    private readonly redis: StateStore,
    readonly keys: FullVerifyKeys,
  ) {}

  async claim(owner: string, ms: number): Promise<boolean> {
    return (await inStore(() => this.redis.set(this.keys.lease, owner, 'PX', ms, 'NX'))) === 'OK';
  }

  async renew(owner: string, ms: number): Promise<boolean> {
    return Number(await inStore(() => this.redis.eval(RENEW, 1, this.keys.lease, owner, String(ms)))) === 1;
  }

  async release(owner: string): Promise<void> {
    await inStore(() => this.redis.eval(RELEASE, 1, this.keys.lease, owner));
  }

  async leaseHolder(): Promise<string | null> {
    return inStore(() => this.redis.get(this.keys.lease));
  }

  async run(): Promise<FullRun | undefined> {
    const raw = await inStore(() => this.redis.get(this.keys.run));
    return raw ? (JSON.parse(raw) as FullRun) : undefined;
  }

  async saveRun(run: FullRun): Promise<void> {
    await inStore(() => this.redis.set(this.keys.run, JSON.stringify(run)));
  }

  /** Changes the run atomically (compare-and-set): `change` returns undefined to leave it alone. The run as it is after. */
  async updateRun(change: (current: FullRun | undefined) => FullRun | undefined): Promise<{ run: FullRun | undefined; written: boolean }> {
    const out = await updateJson<FullRun, undefined>(this.redis, this.keys.run, (current) => ({ next: change(current), result: undefined }));
    return { run: out.value, written: out.written };
  }

  /** A new run: the previous run's finished tables are forgotten. */
  async begin(run: FullRun): Promise<void> {
    await inStore(() => this.redis.multi().del(this.keys.tables).set(this.keys.run, JSON.stringify(run)).exec());
  }

  async finished(): Promise<Map<string, TableVerdict>> {
    const all = await inStore(() => this.redis.hgetall(this.keys.tables));
    return new Map(Object.entries(all).map(([k, v]) => [k, JSON.parse(v) as TableVerdict]));
  }

  async saveTable(v: TableVerdict): Promise<void> {
    await inStore(() => this.redis.hset(this.keys.tables, v.table, JSON.stringify(v)));
  }

  async last(): Promise<FullVerifySummary | undefined> {
    const raw = await inStore(() => this.redis.get(this.keys.last));
    return raw ? (JSON.parse(raw) as FullVerifySummary) : undefined;
  }

  async saveLast(s: FullVerifySummary): Promise<void> {
    await inStore(() => this.redis.set(this.keys.last, JSON.stringify(s)));
  }
}

/** The persistent differences of a table, counted as the gate counts them. */
export function persistentCount(v: TableVerdict): number {
  return v.differences.length + v.unnamed + (v.wholeDiffers ? 1 : 0) + v.problems.length;
}

export function inFlightCount(v: TableVerdict): number {
  return v.inFlight.length + (v.wholeInFlight ? 1 : 0);
}

export function summarize(run: FullRun, verdicts: TableVerdict[], status: FullVerifySummary['status'], now: number): FullVerifySummary {
  return {
    runId: run.id,
    hop: run.hop,
    status,
    mode: run.mode,
    startedAt: run.startedAt,
    finishedAt: now,
    tables: verdicts.length,
    rows: verdicts.reduce((n, v) => n + v.rowsSource, 0),
    differences: verdicts.reduce((n, v) => n + persistentCount(v), 0),
    differingTables: verdicts.filter((v) => persistentCount(v) > 0).length,
    inFlight: verdicts.reduce((n, v) => n + inFlightCount(v), 0),
    unconfirmedTables: verdicts.filter((v) => v.unconfirmed).length,
    failure: run.failure,
  };
}
