import { randomUUID } from 'node:crypto';
import { beginRollBack, finishRollBack } from '../migration/migration-machine';
import type { Hop, Plan } from '../plan/plan';
import type { AuditLog } from '../state/audit-log';
import { KEEP, parseRaw, setJson, updateMany } from '../state/compare-and-set';
import { nextMigration, parseMigration, type MigrationState } from '../state/migration-state';
import type { StateStore } from '../state/state-store';
import type { CutoverRun, CutoverRunStore } from './cutover-run';
import { appUrlFor } from './app-url';
import type { RunbookDeps } from './runbook';

export interface RollBackDeps {
  plan: Plan;
  runs: CutoverRunStore;
  migration: MigrationState;
  redis: StateStore;
  audit: AuditLog;
  stepDeps: (hop: Hop) => Pick<RunbookDeps, 'app' | 'sourceUrl' | 'targetUrl' | 'sourceAppUrl' | 'targetAppUrl'>;
  /** Edits the hop's timeline (best-effort). */
  refresh: (hop: Hop) => Promise<void>;
}


/**
 * After a finished cutover, an approved Roll back of run `runId`: stop the app's writes, point it at
 * the source's app URL (app_url_env) again, bring it back. Claimed first in one atomic check that the run is still the hop's
 * latest, done, the most recent hop cut over, and that no other hop moves. Writes the app made on
 * the target since the cutover stay there.
 */
export async function rollBackAfterCutover(deps: RollBackDeps, hop: Hop, by: string, runId: string | undefined): Promise<string> {
  const { runs, migration, redis, plan, audit } = deps;
  if (!runId) throw new Error('this Roll back does not say which cutover it is for (it was made by an older version): ask again from the newest alert; nothing was done');
  const now = Date.now();
  const claimant = `${by}:${now}:${randomUUID().slice(0, 8)}`;
  const { result: refusal } = await updateMany(redis, [migration.key, runs.key(hop.id)], ([mRaw, runRaw]) => {
    const run = parseRaw<CutoverRun>(runRaw);
    if (run?.id !== runId || run.status !== 'done') return { result: `this Roll back is for run ${runId} of ${hop.id}, which is ${run?.id === runId ? run.status : 'no longer the latest'}: nothing was done` };
    const m = parseMigration(mRaw, plan);
    const d = beginRollBack(m, plan, hop.id, runId, now, claimant);
    if (!d.ok) return { result: d.why };
    return { writes: [setJson(nextMigration(m, d.next, now)), KEEP], result: undefined };
  });
  if (refusal) throw new Error(refusal);
  let result: string | undefined;
  let failure: unknown;
  try {
    const d = deps.stepDeps(hop);
    // Checked before the app stops: without the source's app URL there is nothing to point it back at.
    const sourceAppUrl = appUrlFor(hop, 'source', d);
    const types = hop.app?.processTypes ?? ['web'];
    const formation = await d.app.formation(types);
    await d.app.stopWrites(types);
    const pointed = await d.app.pointAt(hop.app?.configVar ?? 'DATABASE_URL', sourceAppUrl);
    await d.app.startWrites(formation);
    result = `maintenance on, ${pointed}, app back (${formation.map((f) => `${f.type} ${f.quantity}`).join(', ')})`;
  } catch (e) {
    failure = e;
  }
  const end = Date.now();
  await updateMany(redis, [migration.key, runs.key(hop.id)], ([mRaw, runRaw]) => {
    const m = parseMigration(mRaw, plan);
    const d = finishRollBack(m, hop.id, runId, result !== undefined, end, claimant);
    const run = parseRaw<CutoverRun>(runRaw);
    // Only the attempt that still holds the claim records the outcome: a roll back presumed dead and claimed again lost it.
    const runWrite = d.ok && result !== undefined && run?.id === runId ? setJson({ ...run, status: 'rolled-back', rolledBack: { by, at: end, result } }) : KEEP;
    return { writes: [d.ok ? setJson(nextMigration(m, d.next, end)) : KEEP, runWrite], result: undefined };
  });
  if (result === undefined) {
    await audit.record({ actor: by, action: `cutover roll back failed: ${hop.id}`, outcome: 'error', detail: (failure as Error).message });
    throw failure;
  }
  await audit.record({ actor: by, action: `cutover rolled back: ${hop.id}`, outcome: 'ok', detail: result });
  await deps.refresh(hop);
  return result;
}
