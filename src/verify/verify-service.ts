import type { DatabaseSet } from '../db/database-set';
import type { Logger } from '../log';
import type { ChannelPort } from '../monitoring/channel-port';
import type { Hop } from '../plan/plan';
import { inStore, type StateStore } from '../state/state-store';
import { verifyProgressView, verifyMismatchesView } from '../views/verify-view';
import { compareTable, type TableComparison } from './table-comparison';
import { readTables } from './table-inventory';
import type { FullVerify } from './full/full-verify';

export interface VerifyOptions {
  exactRowLimit: number;
  checksumRanges: number;
  rangeSize: number;
  /** How often the progress message is edited. */
  progressEveryMs: number;
}

/**
 * `/migrate verify`: source against target for every table, in the background, with one progress
 * message edited in place and the mismatches posted in its thread at the end. One run per hop at a
 * time, across bot processes.
 */
export class VerifyService {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: { databases: DatabaseSet; channel: ChannelPort; redis: StateStore; runKey: (hop: string) => string; options: VerifyOptions; log: Logger; full?: FullVerify },
  ) {}

  /** `verify --full`: every row, compared inside both databases (see FullVerify). */
  get full(): FullVerify {
    if (!this.deps.full) throw new Error('the full verify is not wired in this process');
    return this.deps.full;
  }

  /** Starts a run; false when one is already running for this hop. */
  async start(hop: Hop, user: string, checksum: boolean): Promise<boolean> {
    const claimed = await inStore(() => this.deps.redis.set(this.deps.runKey(hop.id), user, 'PX', 3600_000, 'NX'));
    if (claimed !== 'OK') return false;
    const p = this.run(hop, user, checksum)
      .catch((e) => this.deps.log.error({ err: e, hop: hop.id }, 'verify failed'))
      .finally(() => inStore(() => this.deps.redis.del(this.deps.runKey(hop.id))).catch(() => undefined));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return true;
  }

  /** Waits for running verifies, at most `timeoutMs` (a stopping process is killed soon after). */
  async drain(timeoutMs = 20_000): Promise<void> {
    await Promise.race([Promise.allSettled([...this.running, this.deps.full?.drain(timeoutMs)]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private async run(hop: Hop, user: string, checksum: boolean): Promise<void> {
    const { databases, channel, options } = this.deps;
    const source = databases.get(hop.source.id);
    const target = databases.get(hop.target.id);
    const startedAt = Date.now();
    const [sourceTables, targetTables] = await Promise.all([readTables(source), readTables(target)]);
    const byName = new Map(targetTables.map((t) => [`${t.schema}.${t.name}`, t]));
    const results: TableComparison[] = [];
    const progress = (finished: boolean) => verifyProgressView({ hop: hop.id, user, total: sourceTables.length, results, startedAt, finished, checksum });
    const ref = await channel.post(progress(false));
    let lastEdit = Date.now();
    for (const s of sourceTables) {
      try {
        results.push(await compareTable(source, target, s, byName.get(`${s.schema}.${s.name}`), { ...options, checksumRanges: checksum ? options.checksumRanges : 0 }));
      } catch (e) {
        results.push({ table: `${s.schema}.${s.name}`, checksumMismatches: [], checksumRanges: 0, problems: [`could not be compared: ${(e as Error).message}`] });
      }
      if (Date.now() - lastEdit >= options.progressEveryMs) {
        await channel.update(ref, progress(false)).catch(() => undefined);
        lastEdit = Date.now();
      }
    }
    await channel.update(ref, progress(true));
    const mismatched = results.filter((r) => r.problems.length);
    if (mismatched.length) for (const view of verifyMismatchesView(hop.id, mismatched)) await channel.post(view, ref.ts);
  }
}
