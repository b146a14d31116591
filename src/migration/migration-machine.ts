import type { Plan } from '../plan/plan';
import type { HopStatus, MigrationRecord } from '../state/migration-state';

/**
 * The migration's state machine: every hop transition and every action that depends on where the
 * migration is, as pure functions of the current record. A refusal is the sentence a person reads
 * in Slack. Callers apply these inside an atomic compare-and-set, so they decide on the state as it
 * is when the side effect runs, never on the state a request or a button was made in.
 */
export type Decision<T = MigrationRecord> = { ok: true; next: T } | { ok: false; why: string };

const refuse = (why: string): { ok: false; why: string } => ({ ok: false, why });

/** Hops that may start a cutover. */
const CUTTABLE: HopStatus[] = ['pending', 'streaming', 'rolled-back'];

/** A roll back makes four platform calls of at most 15 s each: a claim older than this was left by a dead process. */
export const ROLL_BACK_CLAIM_MS = 5 * 60_000;

function moved(m: MigrationRecord, hopId: string, status: HopStatus, now: number, runId?: string): MigrationRecord {
  const { dmsClaim: _claim, rollBackClaim: _rollBack, ...rest } = m.hops[hopId] ?? { status };
  void _claim;
  void _rollBack;
  return { ...m, epoch: m.epoch + 1, hops: { ...m.hops, [hopId]: { ...rest, status, since: now, runId } } };
}

/** Why a request or button made at `epoch` no longer applies, or undefined while nothing moved since. */
export function staleEpoch(m: MigrationRecord, epoch: number | undefined): string | undefined {
  if (epoch === undefined || epoch === m.epoch) return undefined;
  return `the migration has moved on since it was made (${describeLatest(m)}): nothing was done`;
}

/** The most recent hop transition, in words ("ec2-to-aurora was cut over at 14:02 UTC"). */
export function describeLatest(m: MigrationRecord): string {
  const [id, h] = Object.entries(m.hops).filter(([, h]) => h.since !== undefined).sort((a, b) => (b[1].since ?? 0) - (a[1].since ?? 0))[0] ?? [];
  if (!id || !h) return `epoch ${m.epoch}`;
  const verb: Record<HopStatus, string> = { pending: 'waits', streaming: 'went back to streaming', 'cutting-over': 'started cutting over', done: 'was cut over', 'rolling-back': 'started rolling back', 'rolled-back': 'was rolled back' };
  return `${id} ${verb[h.status]} at ${clock(h.since!)}`;
}

function clock(at: number): string {
  return `${new Date(at).toISOString().slice(11, 16)} UTC`;
}

/** A cutover of `hopId` begins (run `runId`): the hop is current, nothing else moves, no hold, the request is not stale. */
export function beginCutover(m: MigrationRecord, hopId: string, a: { runId: string; now: number; epoch?: number }): Decision {
  if (m.hold) return refuse(`the migration is on hold (${m.hold.reason}, by <@${m.hold.by}>)`);
  const stale = staleEpoch(m, a.epoch);
  if (stale) return refuse(`this request is stale: ${stale}`);
  if (m.currentHop !== hopId) return refuse(`${hopId} is not the current hop (${m.currentHop} is)`);
  const status = m.hops[hopId]?.status ?? 'pending';
  if (!CUTTABLE.includes(status)) return refuse(`${hopId} is ${status}`);
  const busy = Object.entries(m.hops).find(([id, h]) => id !== hopId && (h.status === 'cutting-over' || h.status === 'rolling-back'));
  if (busy) return refuse(`${busy[0]} is ${busy[1].status}`);
  const claim = m.hops[hopId]?.dmsClaim;
  if (claim && claim.until > a.now) return refuse(`a DMS reload of ${hopId} by <@${claim.by}> is under way`);
  return { ok: true, next: moved(m, hopId, 'cutting-over', a.now, a.runId) };
}

/** The run finished every step: the hop is done and the next one becomes current. */
export function finishCutover(m: MigrationRecord, plan: Plan, hopId: string, runId: string, now: number): Decision {
  const h = m.hops[hopId];
  if (h?.status !== 'cutting-over' || h.runId !== runId) return refuse(`${hopId} is not cutting over with run ${runId}`);
  const done = moved(m, hopId, 'done', now, runId);
  const index = plan.hops.findIndex((p) => p.id === hopId);
  const next = plan.hops[index + 1];
  if (!next) return { ok: true, next: done };
  const nextStatus = done.hops[next.id]?.status ?? 'pending';
  return {
    ok: true,
    next: { ...done, currentHop: next.id, hops: { ...done.hops, [next.id]: { ...done.hops[next.id], status: nextStatus === 'pending' ? 'streaming' : nextStatus } } },
  };
}

/** The run ended before the app took writes on the target (aborted and rolled back): the hop streams again. */
export function endCutoverWithoutWrites(m: MigrationRecord, hopId: string, runId: string, now: number): Decision {
  const h = m.hops[hopId];
  if (h?.status !== 'cutting-over' || h.runId !== runId) return refuse(`${hopId} is not cutting over with run ${runId}`);
  return { ok: true, next: moved(m, hopId, 'streaming', now) };
}

/**
 * Roll back after a finished cutover: only the most recent completed hop, and never while another
 * hop moves. `by` names this attempt; a roll back left half-done by a dead process may be claimed again once its claim expired.
 */
export function beginRollBack(m: MigrationRecord, plan: Plan, hopId: string, runId: string, now: number, by = 'check'): Decision {
  const h = m.hops[hopId];
  const orphaned = h?.status === 'rolling-back' && h.runId === runId && (h.rollBackClaim?.until ?? 0) < now;
  if (h?.status === 'rolling-back' && !orphaned) return refuse(`${hopId} is already being rolled back: nothing was done`);
  if (h?.status !== 'done' && !orphaned) return refuse(`this Roll back is for ${hopId}, which is ${h?.status ?? 'unknown'} now (${describeLatest(m)}): nothing was done`);
  if (h.runId !== runId) return refuse(`this Roll back is for an older cutover of ${hopId} (run ${runId}); the latest is ${h.runId}: nothing was done`);
  const index = plan.hops.findIndex((p) => p.id === hopId);
  for (const later of plan.hops.slice(index + 1)) {
    const s = m.hops[later.id]?.status ?? 'pending';
    if (s !== 'pending' && s !== 'streaming') return refuse(`this Roll back is for ${hopId}; ${later.id} ${s === 'done' ? `was cut over at ${clock(m.hops[later.id]!.since ?? 0)}` : `is ${s}`}: nothing was done`);
  }
  const busy = Object.entries(m.hops).find(([id, o]) => id !== hopId && (o.status === 'cutting-over' || o.status === 'rolling-back'));
  if (busy) return refuse(`${busy[0]} is ${busy[1].status}: nothing was done`);
  const next = moved(m, hopId, 'rolling-back', now, runId);
  return { ok: true, next: { ...next, currentHop: hopId, hops: { ...next.hops, [hopId]: { ...next.hops[hopId], rollBackClaim: { by, until: now + ROLL_BACK_CLAIM_MS } } } } };
}

/** The roll back `by` ended: the app is on the source again (`ok`), or it failed and the hop stays done. */
export function finishRollBack(m: MigrationRecord, hopId: string, runId: string, ok: boolean, now: number, by = 'check'): Decision {
  const h = m.hops[hopId];
  if (h?.status !== 'rolling-back' || h.runId !== runId || h.rollBackClaim?.by !== by) return refuse(`${hopId} is not rolling back run ${runId} by ${by}`);
  return { ok: true, next: moved(m, hopId, ok ? 'rolled-back' : 'done', now, runId) };
}

/**
 * A DMS action on `hopId`. Once the hop's cutover began, the runbook alone drives the task; a
 * destructive one (a reload, a fresh start) is also refused after a roll back, when the target holds
 * writes the source lacks. A destructive action claims the hop so that no cutover starts meanwhile.
 */
export function claimDmsAction(m: MigrationRecord, hopId: string, a: { destructive: boolean; by: string; now: number; ttlMs: number; epoch?: number }): Decision {
  const stale = staleEpoch(m, a.epoch);
  if (stale) return refuse(`this request is stale: ${stale}`);
  const status = m.hops[hopId]?.status ?? 'pending';
  if (status === 'cutting-over' || status === 'rolling-back' || status === 'done') return refuse(`the cutover of ${hopId} began (${status}): the DMS task is the runbook's now, and nothing was done`);
  if (a.destructive && status === 'rolled-back') return refuse(`${hopId} was rolled back after a cutover: the target holds writes the source lacks, and a reload would destroy them. Nothing was done`);
  if (!a.destructive) return { ok: true, next: m };
  const claim = m.hops[hopId]?.dmsClaim;
  if (claim && claim.until > a.now && claim.by !== a.by) return refuse(`another DMS reload of ${hopId} is under way`);
  return { ok: true, next: { ...m, hops: { ...m.hops, [hopId]: { ...m.hops[hopId], status, dmsClaim: { by: a.by, until: a.now + a.ttlMs } } } } };
}

export function releaseDmsClaim(m: MigrationRecord, hopId: string, by: string): MigrationRecord | undefined {
  const h = m.hops[hopId];
  if (!h?.dmsClaim || h.dmsClaim.by !== by) return undefined;
  const { dmsClaim: _claim, ...rest } = h;
  void _claim;
  return { ...m, hops: { ...m.hops, [hopId]: rest } };
}

/** A sequence fix on the hop's target: not while the runbook itself is at work on it, and not for a stale request. */
export function maySequenceFix(m: MigrationRecord, hopId: string, epoch?: number): Decision<true> {
  const stale = staleEpoch(m, epoch);
  if (stale) return refuse(`this request is stale: ${stale}`);
  const status = m.hops[hopId]?.status ?? 'pending';
  if (status === 'cutting-over' || status === 'rolling-back') return refuse(`${hopId} is ${status}: the runbook fixes the sequences itself; nothing was done`);
  return { ok: true, next: true };
}

/** A latency bench (`/migrate bench`): never while any hop is cutting over or rolling back, when the databases' time is the runbook's. */
export function mayBench(m: MigrationRecord): Decision<true> {
  const busy = Object.entries(m.hops).find(([, h]) => h.status === 'cutting-over' || h.status === 'rolling-back');
  if (busy) return refuse(`${busy[0]} is ${busy[1].status}: a bench would load its databases and its figures would mean nothing now`);
  return { ok: true, next: true };
}
