import type { Queryable } from '../db/database';
import { lookAtSourceWriters, type SourceWriter, writerKey } from './source-writers';

export interface WritersWait {
  /** Still able to write when the wait ended, not let through: these block the fence. */
  blocking: SourceWriter[];
  /** Still able to write, but let through by an approved "Continue anyway". */
  letThrough: SourceWriter[];
  /** Seen writing, then gone while we waited. */
  ended: SourceWriter[];
  looks: number;
  tookMs: number;
}

/**
 * Watches the source until no session other than the bot's may write, or `timeoutMs` passed. A
 * session seen writing once stays a writer until it disconnects: an app between two autocommit
 * INSERTs looks idle, yet it writes again. At least two looks `intervalMs` apart before saying none.
 */
export async function waitForWriters(db: Queryable, opts: { wholeCluster: boolean; timeoutMs: number; intervalMs?: number; letThrough?: Set<string> }): Promise<WritersWait> {
  const intervalMs = opts.intervalMs ?? 500;
  const letThrough = opts.letThrough ?? new Set<string>();
  const start = Date.now();
  const seen = new Map<string, SourceWriter>();
  const ended: SourceWriter[] = [];
  for (let looks = 1; ; looks++) {
    const look = await lookAtSourceWriters(db, opts);
    for (const w of look.writers) seen.set(writerKey(w), w);
    for (const [key, w] of seen) {
      if (look.present.has(key)) continue;
      ended.push(w);
      seen.delete(key);
    }
    const live = [...seen.values()];
    const blocking = live.filter((w) => !letThrough.has(writerKey(w)));
    const tookMs = Date.now() - start;
    if ((!blocking.length && looks >= 2) || (blocking.length && tookMs >= opts.timeoutMs)) return { blocking, letThrough: live.filter((w) => letThrough.has(writerKey(w))), ended, looks, tookMs };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
