import type { Queryable } from '../db/database';
import { type SourceWriter, writerKey } from './source-writers';

/** What became of one session the team approved to terminate. */
export interface TerminateOutcome {
  pid: number;
  backendStart?: string;
  ended: boolean;
  /** In words: "ended", "had already ended", or why it was not ended. */
  result: string;
}

// The pid and the start time are matched in the same statement that signals: a pid reused by a later session is never signalled.
const TERMINATE_SQL = `
SELECT pg_terminate_backend(a.pid) AS signalled
FROM pg_stat_activity a
WHERE a.pid = $1 AND to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') = $2`;

const STILL_THERE_SQL = `
SELECT a.pid, to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS backend_start
FROM pg_stat_activity a WHERE a.pid = ANY($1::int[])`;

/**
 * Ends exactly these sessions with pg_terminate_backend, each named by pid and backend start, and
 * waits (up to `waitMs`) until they are gone. One that may not be ended (a superuser's, a role
 * without pg_signal_backend, details hidden) is left alone and said why.
 */
export async function terminateWriters(db: Queryable, writers: SourceWriter[], waitMs = 5000): Promise<TerminateOutcome[]> {
  const outcomes: TerminateOutcome[] = [];
  for (const w of writers) {
    if (w.preparedGid !== undefined || !w.backendStart) {
      outcomes.push({ pid: w.pid, ended: false, result: `not touched: ${w.cannotTerminate ?? 'its start time is hidden from the bot\'s role'}` });
      continue;
    }
    try {
      const { rows } = await db.query<{ signalled: boolean }>(TERMINATE_SQL, [w.pid, w.backendStart]);
      if (!rows.length) outcomes.push({ pid: w.pid, backendStart: w.backendStart, ended: true, result: 'had already ended' });
      else if (!rows[0].signalled) outcomes.push({ pid: w.pid, backendStart: w.backendStart, ended: false, result: 'not ended: pg_terminate_backend returned false (the session was gone or not a backend)' });
      else outcomes.push({ pid: w.pid, backendStart: w.backendStart, ended: true, result: 'signalled' });
    } catch (e) {
      const hint = w.cannotTerminate ? ` — ${w.cannotTerminate}` : '';
      outcomes.push({ pid: w.pid, backendStart: w.backendStart, ended: false, result: `not ended: ${(e as Error).message}${hint}` });
    }
  }
  await waitUntilGone(db, outcomes, waitMs);
  return outcomes;
}

/** A signalled session ends at its next check for interrupts: "ended" only once it left pg_stat_activity. */
async function waitUntilGone(db: Queryable, outcomes: TerminateOutcome[], waitMs: number): Promise<void> {
  const signalled = outcomes.filter((o) => o.result === 'signalled');
  const deadline = Date.now() + waitMs;
  while (signalled.length) {
    const { rows } = await db.query<{ pid: number; backend_start: string }>(STILL_THERE_SQL, [signalled.map((o) => o.pid)]);
    const still = new Set(rows.map((r) => writerKey({ pid: r.pid, backendStart: r.backend_start })));
    for (const o of signalled.filter((s) => !still.has(writerKey(s)))) o.result = 'ended';
    if (signalled.every((o) => o.result === 'ended')) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const o of signalled.filter((s) => s.result === 'signalled')) {
    o.ended = false;
    o.result = `signalled, but still there after ${waitMs / 1000} s`;
  }
}

/** "pid 4242 ended; pid 4243 not ended: …" */
export function terminateSummary(outcomes: TerminateOutcome[]): string {
  return outcomes.map((o) => `pid ${o.pid} ${o.result}`).join('; ');
}
