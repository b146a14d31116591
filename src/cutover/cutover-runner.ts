import type { Logger } from '../log';
import type { ChannelPort } from '../monitoring/channel-port';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { AuditLog } from '../state/audit-log';
import type { MigrationLock } from '../state/migration-lock';
import type { MigrationState } from '../state/migration-state';
import { inStore, type StateStore } from '../state/state-store';
import { cutoverTimelineView } from '../views/cutover-view';
import type { CutoverRun, CutoverRunStore, RunStep } from './cutover-run';
import { FenceTimeout, runbook, type RunbookDeps, type Step } from './runbook';

export interface CutoverRunnerDeps {
  plan: Plan;
  runs: CutoverRunStore;
  lock: MigrationLock;
  migration: MigrationState;
  channel: ChannelPort;
  audit: AuditLog;
  redis: StateStore;
  leaseKey: (hop: string) => string;
  processId: string;
  log: Logger;
  /** Everything the steps need, for a hop (databases, the app's platform, DMS…). */
  stepDeps: (hop: Hop) => Omit<RunbookDeps, 'note' | 'run'>;
}

// The executor's lease: while it is renewed, the run is alive; a dead process lets it expire.
const LEASE_MS = 10_000;

/**
 * Runs a hop's cutover runbook: one step at a time, each recorded in Redis before and after, under
 * the fencing token of the lock; a live timeline edited in place; abort with rollback before the
 * app takes writes on the target; after a crash, the run is shown as interrupted and resumes only
 * when a person says so. No step is started twice on the bot's own initiative.
 */
export class CutoverRunner {
  constructor(private readonly deps: CutoverRunnerDeps) {}

  private hop(id: string): Hop {
    const hop = hopById(this.deps.plan, id);
    if (!hop) throw new Error(`no hop ${id}`);
    return hop;
  }

  /** Starts the cutover of `hop` for `requester`, who must hold the lock; resolves when the run ends. */
  async start(hopId: string, requester: string, now = Date.now()): Promise<string> {
    const { runs, lock, migration, channel, processId } = this.deps;
    const hop = this.hop(hopId);
    const held = await lock.read();
    if (!held || held.holder !== requester) throw new Error('the requester no longer holds the migration lock; nothing was run');
    const steps: Record<string, RunStep> = Object.fromEntries(runbook(hop).map((s) => [s.id, { status: 'pending', attempts: 0 }]));
    const { created, run } = await runs.create({ id: `${hop.id}-${now}`, hop: hop.id, requester, fence: held.fence, owner: processId, status: 'running', steps, startedAt: now });
    if (!created) throw new Error(`a cutover of ${hop.id} is already ${run.status}`);
    await migration.update((m) => ({ next: { ...m, hops: { ...m.hops, [hop.id]: { ...m.hops[hop.id], status: 'cutting-over' } } }, result: undefined }));
    const ref = await channel.post(cutoverTimelineView(hop, run, Date.now()));
    await runs.update(hop.id, (r) => ({ ...r, message: ref }));
    return this.execute(hop.id);
  }

  /** Runs every step not yet done, in order, while this process holds the executor lease. */
  async execute(hopId: string): Promise<string> {
    const { runs, lock, redis, leaseKey, processId, log } = this.deps;
    const hop = this.hop(hopId);
    const claimed = await inStore(() => redis.set(leaseKey(hop.id), processId, 'PX', LEASE_MS, 'NX'));
    if (claimed !== 'OK') throw new Error(`another bot process is executing the cutover of ${hop.id}`);
    const renew = setInterval(() => void inStore(() => redis.pexpire(leaseKey(hop.id), LEASE_MS)).catch(() => undefined), LEASE_MS / 3);
    try {
      for (const step of runbook(hop)) {
        const run = (await runs.get(hop.id))!;
        if (run.status !== 'running') return `cutover ${run.status}`;
        if (run.abortRequested) return this.rollback(hop, run.abortRequested);
        if (run.steps[step.id].status === 'done') continue;
        if (!(await lock.isFenceCurrent(run.fence))) return this.fail(hop, step, `fencing token ${run.fence} is stale: the lock changed hands, so this executor may not act`);
        const started = await runs.update(hop.id, (r) =>
          r.status === 'running' && r.steps[step.id].status === 'pending'
            ? { ...r, steps: { ...r.steps, [step.id]: { status: 'running', startedAt: Date.now(), attempts: r.steps[step.id].attempts + 1 } } }
            : undefined,
        );
        if (!started) return `step ${step.id} was not pending; stopped`;
        await this.refresh(hop);
        try {
          const result = await step.run(await this.runbookDeps(hop));
          await runs.update(hop.id, (r) => ({ ...r, steps: { ...r.steps, [step.id]: { ...r.steps[step.id], status: 'done', finishedAt: Date.now(), result } } }));
          await this.refresh(hop);
        } catch (e) {
          log.error({ err: e, hop: hop.id, step: step.id }, 'cutover step failed');
          const why = e instanceof FenceTimeout ? `${e.message}. The app is still down on the source: Abort puts it back, Resume tries the fence again.` : (e as Error).message;
          return this.fail(hop, step, why);
        }
      }
      await this.finish(hop);
      return `cutover of ${hop.id} done`;
    } finally {
      clearInterval(renew);
      await inStore(() => redis.del(leaseKey(hop.id))).catch(() => undefined);
    }
  }

  /** Until when the error rate is watched after this hop's cutover finished, if it finished. */
  async watchedUntil(hopId: string): Promise<number | undefined> {
    const run = await this.deps.runs.get(hopId);
    if (run?.status !== 'done' || !run.finishedAt) return undefined;
    return run.finishedAt + this.deps.plan.cutover.errorWatchMinutes * 60_000;
  }

  /**
   * After a finished cutover (an approved Roll back): stop the app's writes, point it at the source
   * again, bring it back. Writes the app made on the target since the cutover stay there.
   */
  async rollBackAfterCutover(hopId: string, by: string): Promise<string> {
    const { runs, migration, audit } = this.deps;
    const hop = this.hop(hopId);
    const run = await runs.get(hop.id);
    if (run?.status !== 'done') throw new Error(`there is no finished cutover of ${hop.id} to roll back`);
    const d = { ...this.deps.stepDeps(hop) };
    const types = hop.app?.processTypes ?? ['web'];
    const formation = await d.app.formation(types);
    await d.app.stopWrites(types);
    const pointed = await d.app.pointAt(hop.app?.configVar ?? 'DATABASE_URL', d.sourceUrl);
    await d.app.startWrites(formation);
    const result = `maintenance on, ${pointed}, app back (${formation.map((f) => `${f.type} ${f.quantity}`).join(', ')})`;
    await runs.update(hop.id, (r) => ({ ...r, status: 'rolled-back', rolledBack: { by, at: Date.now(), result } }));
    await migration.update((m) => ({ next: { ...m, currentHop: hop.id, hops: { ...m.hops, [hop.id]: { ...m.hops[hop.id], status: 'syncing' } } }, result: undefined }));
    await audit.record({ actor: by, action: `cutover rolled back: ${hop.id}`, outcome: 'ok', detail: result });
    await this.refresh(hop);
    return result;
  }

  async status(hopId: string): Promise<CutoverRun['status'] | undefined> {
    return (await this.deps.runs.get(hopId))?.status;
  }

  /** Abort: between steps while running, or at once when failed or interrupted; refused once the app took writes on the target. */
  async abort(hopId: string, user: string): Promise<string> {
    const { runs, redis, leaseKey } = this.deps;
    const hop = this.hop(hopId);
    const run = await runs.get(hop.id);
    if (!run || run.status === 'done' || run.status === 'aborted') return 'There is no cutover to abort.';
    if (run.steps['app-back']?.status === 'done' || run.steps['app-back']?.status === 'running') return 'Too late to abort: the app is taking writes on the target; rolling back now would lose them.';
    const executing = (await inStore(() => redis.get(leaseKey(hop.id)))) !== null;
    if (run.status === 'running' && executing) {
      await runs.update(hop.id, (r) => ({ ...r, abortRequested: user }));
      await this.refresh(hop);
      return 'Abort requested: the cutover stops after the current step and rolls back.';
    }
    return this.rollback(hop, user);
  }

  /** Resume after a failure or an interruption: `user` must hold the lock; its fencing token becomes the run's. */
  async resume(hopId: string, user: string): Promise<string> {
    const { runs, lock, processId } = this.deps;
    const hop = this.hop(hopId);
    // The resumer's own lock, renewed by this process from now on (the one that ran the cutover may be dead).
    const held = await lock.adoptFor(user);
    if (!held) return 'Resuming needs the migration lock: take it with `/migrate lock <reason>` first.';
    const resumed = await runs.update(hop.id, (r) => {
      if (r.status !== 'interrupted' && r.status !== 'failed') return undefined;
      const steps = Object.fromEntries(Object.entries(r.steps).map(([id, s]) => [id, s.status === 'interrupted' || s.status === 'failed' || s.status === 'running' ? { ...s, status: 'pending' as const } : s]));
      return { ...r, status: 'running', fence: held.fence, owner: processId, steps, failure: undefined };
    });
    if (!resumed) return 'There is no interrupted or failed cutover to resume.';
    await this.deps.audit.record({ actor: user, action: `cutover resumed: ${hop.id}`, outcome: 'ok', detail: `fence ${held.fence}` });
    void this.execute(hop.id).catch((e) => this.deps.log.error({ err: e, hop: hop.id }, 'resumed cutover failed'));
    return `Resuming the cutover of ${hop.id} from its first unfinished step.`;
  }

  /**
   * At start-up: a run left "running" by a process that died (no executor lease) is marked
   * interrupted and its timeline posted again with Resume and Abort. Nothing runs by itself.
   */
  async recoverInterrupted(): Promise<string[]> {
    const { runs, redis, leaseKey, channel } = this.deps;
    const found: string[] = [];
    for (const hop of this.deps.plan.hops) {
      const run = await runs.get(hop.id);
      if (run?.status !== 'running') continue;
      if ((await inStore(() => redis.get(leaseKey(hop.id)))) !== null) continue;
      const marked = await runs.update(hop.id, (r) =>
        r.status === 'running'
          ? { ...r, status: 'interrupted', steps: Object.fromEntries(Object.entries(r.steps).map(([id, s]) => [id, s.status === 'running' ? { ...s, status: 'interrupted' as const } : s])) }
          : undefined,
      );
      if (!marked) continue;
      const ref = await channel.post(cutoverTimelineView(hop, marked, Date.now()));
      await runs.update(hop.id, (r) => ({ ...r, message: ref }));
      found.push(hop.id);
    }
    return found;
  }

  /** What a step is given; the run is read fresh for each step, so it sees what earlier steps noted. */
  private async runbookDeps(hop: Hop): Promise<RunbookDeps> {
    let current = (await this.deps.runs.get(hop.id)) as CutoverRun;
    return {
      ...this.deps.stepDeps(hop),
      note: async (change) => {
        current = (await this.deps.runs.update(hop.id, change)) ?? current;
        return current;
      },
      run: () => current,
    };
  }

  private async fail(hop: Hop, step: Step, why: string): Promise<string> {
    await this.deps.runs.update(hop.id, (r) => ({ ...r, status: 'failed', failure: why, steps: { ...r.steps, [step.id]: { ...r.steps[step.id], status: 'failed', finishedAt: Date.now(), result: why } } }));
    await this.refresh(hop);
    return `cutover of ${hop.id} stopped at ${step.id}: ${why}`;
  }

  private async rollback(hop: Hop, user: string): Promise<string> {
    const { runs, migration, audit } = this.deps;
    const run = (await runs.get(hop.id))!;
    const deps = await this.runbookDeps(hop);
    const undone: string[] = [];
    for (const step of [...runbook(hop)].reverse()) {
      const st = run.steps[step.id].status;
      if (!step.undo || (st !== 'done' && st !== 'failed' && st !== 'interrupted')) continue;
      try {
        undone.push(`${step.id}: ${await step.undo(deps)}`);
      } catch (e) {
        undone.push(`${step.id}: UNDO FAILED — ${(e as Error).message}`);
      }
    }
    await runs.update(hop.id, (r) => ({ ...r, status: 'aborted', finishedAt: Date.now(), undo: undone, abortRequested: r.abortRequested ?? user }));
    await migration.update((m) => ({ next: { ...m, hops: { ...m.hops, [hop.id]: { ...m.hops[hop.id], status: 'syncing' } } }, result: undefined }));
    await audit.record({ actor: user, action: `cutover aborted: ${hop.id}`, outcome: 'ok', detail: undone.join('; ') });
    await this.refresh(hop);
    return `Cutover of ${hop.id} aborted and rolled back: ${undone.join('; ') || 'nothing to undo'}.`;
  }

  private async finish(hop: Hop): Promise<void> {
    const { runs, migration, plan } = this.deps;
    await runs.update(hop.id, (r) => ({ ...r, status: 'done', finishedAt: Date.now() }));
    const index = plan.hops.findIndex((h) => h.id === hop.id);
    const next = plan.hops[index + 1];
    await migration.update((m) => ({
      next: { ...m, currentHop: next?.id ?? hop.id, hops: { ...m.hops, [hop.id]: { ...m.hops[hop.id], status: 'done' } } },
      result: undefined,
    }));
    await this.refresh(hop);
  }

  private async refresh(hop: Hop): Promise<void> {
    const run = await this.deps.runs.get(hop.id);
    if (!run?.message) return;
    await this.deps.channel.update(run.message, cutoverTimelineView(hop, run, Date.now())).catch((e) => this.deps.log.error({ err: e }, 'could not update the cutover timeline'));
  }
}
