import type { Logger } from '../log';
import { beginCutover, endCutoverWithoutWrites, finishCutover } from '../migration/migration-machine';
import type { ChannelPort } from '../monitoring/channel-port';
import { hopById, type Hop, type Plan } from '../plan/plan';
import type { AuditLog } from '../state/audit-log';
import { KEEP, parseRaw, setJson, updateMany } from '../state/compare-and-set';
import type { LockRecord, MigrationLock } from '../state/migration-lock';
import { nextMigration, parseMigration, type MigrationState } from '../state/migration-state';
import { inStore, type StateStore } from '../state/state-store';
import { cutoverCompletionView, cutoverTimelineView } from '../views/cutover-view';
import type { CutoverRun, CutoverRunStore, RunStep } from './cutover-run';
import { executorToken, ExecutorLease } from './executor-lease';
import { FenceTimeout, runbook, type RunbookDeps, type Step } from './runbook';
import { claimStep, lostRun, recordStepEnd, type ExecutorIdentity, type StepClaim } from './step-claim';

export interface CutoverRunnerDeps {
  plan: Plan;
  runs: CutoverRunStore;
  lock: MigrationLock;
  migration: MigrationState;
  channel: ChannelPort;
  audit: AuditLog;
  redis: StateStore;
  keys: { lock: string; fence: string; lease: (hop: string) => string };
  processId: string;
  log: Logger;
  /** Everything the steps need, for a hop (databases, the app's platform, DMS…). */
  stepDeps: (hop: Hop) => Omit<RunbookDeps, 'note' | 'run' | 'warn'>;
  /** The runbook; the real one unless a test gives recording steps. */
  runbook?: (hop: Hop) => Step[];
  /** The gates a Resume must pass now, as the reasons they block ([] when all pass). */
  resumeGates?: (hop: Hop, run: CutoverRun) => Promise<string[]>;
  /** Asks the team to approve a Resume of a run stopped too long ago; returns what to tell the person. */
  requestResumeApproval?: (hop: Hop, run: CutoverRun, user: string) => Promise<string>;
  /** The executor's lease: while it is renewed, the attempt is alive; a dead process lets it expire. */
  leaseMs?: number;
  /** How long a timeline update may hold a step before the step goes on without it. */
  timelineBoundMs?: number;
}

const DEFAULT_LEASE_MS = 10_000;
const ENDED: CutoverRun['status'][] = ['done', 'aborted', 'rolled-back'];


/**
 * Runs a hop's cutover runbook: one step at a time. Every attempt (the start, each Resume, an
 * Abort's roll back) takes a new fencing token; each step is claimed in one atomic check of the run,
 * the executor's lease, the lock and the migration (hold, abort) right before its side effect, and
 * recorded as done only while the attempt still owns the run. An executor that finds it was fenced
 * out stops and says so. After a crash nothing runs until a person resumes or aborts.
 */
export class CutoverRunner {
  constructor(private readonly deps: CutoverRunnerDeps) {}

  private hop(id: string): Hop {
    const hop = hopById(this.deps.plan, id);
    if (!hop) throw new Error(`no hop ${id}`);
    return hop;
  }

  private get leaseMs(): number {
    return this.deps.leaseMs ?? DEFAULT_LEASE_MS;
  }

  private nextFence(): Promise<number> {
    return inStore(() => this.deps.redis.incr(this.deps.keys.fence));
  }

  /**
   * Starts the cutover of `hop` for `requester`, who must hold the lock, if the migration allows it
   * now (current hop, no hold, nothing else moving, the approval's epoch still current); resolves when the run ends.
   */
  async start(hopId: string, requester: string, opts: { epoch?: number; now?: number } = {}): Promise<string> {
    const { runs, migration, processId, plan, keys, redis } = this.deps;
    const hop = this.hop(hopId);
    const now = opts.now ?? Date.now();
    const fence = await this.nextFence();
    const id = `${hop.id}-${now}-${fence}`;
    const steps: Record<string, RunStep> = Object.fromEntries(this.runbook(hop).map((s) => [s.id, { status: 'pending', attempts: 0 }]));
    const run: CutoverRun = { id, hop: hop.id, requester, fence, attempt: 1, owner: processId, status: 'running', steps, startedAt: now };
    const token = executorToken(processId, fence);
    // The run and its executor's lease are written together: recovery never sees a new run without an executor.
    const { result: refusal } = await updateMany(redis, [keys.lock, migration.key, runs.key(hop.id), keys.lease(hop.id)], ([lockRaw, mRaw, runRaw, lease]) => {
      if (lease) return { result: 'an executor still holds the lease of this hop' };
      const lock = parseRaw<LockRecord>(lockRaw);
      if (!lock || lock.holder !== requester) return { result: 'the requester no longer holds the migration lock' };
      const existing = parseRaw<CutoverRun>(runRaw);
      if (existing && !ENDED.includes(existing.status)) return { result: `a cutover of ${hop.id} is already ${existing.status}` };
      if (existing?.status === 'done') return { result: `${hop.id} was already cut over (run ${existing.id})` };
      const m = parseMigration(mRaw, plan);
      const d = beginCutover(m, hop.id, { runId: id, now, epoch: opts.epoch });
      if (!d.ok) return { result: d.why };
      return { writes: [setJson({ ...lock, fence }), setJson(nextMigration(m, d.next, now)), setJson(run), { set: token, ttlMs: this.leaseMs }], result: undefined };
    });
    if (refusal) throw new Error(`${refusal}; nothing was run`);
    const lease = this.leaseOf(hop, fence);
    lease.keepAlive(() => this.deps.log.error({ hop: hop.id, fence }, 'the cutover executor lost its lease: it stops before its next step'));
    const ref = await this.bounded(this.deps.channel.post(cutoverTimelineView(hop, run, Date.now())), 'post the cutover timeline');
    if (ref) await runs.update(hop.id, (r) => (r.id === id ? { ...r, message: ref } : undefined)).catch(() => undefined);
    return this.execute(hop.id, fence, lease);
  }

  private leaseOf(hop: Hop, fence: number): ExecutorLease {
    const { redis, keys, processId } = this.deps;
    return new ExecutorLease(redis, { lease: keys.lease(hop.id), lock: keys.lock }, executorToken(processId, fence), fence, this.leaseMs, this.deps.lock.ttlMs);
  }

  /** Runs every step not yet done, in order, as the attempt with fencing token `fence`, whose lease was taken with the attempt. */
  async execute(hopId: string, fence: number, held?: ExecutorLease): Promise<string> {
    const { processId, log } = this.deps;
    const hop = this.hop(hopId);
    const me: ExecutorIdentity = { token: executorToken(processId, fence), fence };
    const lease = held ?? this.leaseOf(hop, fence);
    if (!held && !(await lease.claim())) throw new Error(`another bot process is executing the cutover of ${hop.id}`);
    if (!held) lease.keepAlive(() => log.error({ hop: hop.id, fence }, 'the cutover executor lost its lease: it stops before its next step'));
    try {
      for (const step of this.runbook(hop)) {
        const deps = await this.runbookDeps(hop, me, step.id);
        const claim = await this.claim(hop, step, me);
        if (claim.kind === 'skip') continue;
        if (claim.kind === 'abort') return await this.abortAsExecutor(hop, me);
        if (claim.kind === 'fenced') return await this.fencedOut(hop, me, claim.why);
        if (claim.kind === 'stopped') return `cutover of ${hop.id} stopped: ${claim.why}`;
        if (claim.kind === 'hold') return await this.stopRun(hop, me, claim.why);
        // Nothing is awaited between the claim and the side effect: the claim is the last check.
        deps.claimed(claim.run);
        void this.refresh(hop);
        let result: string;
        try {
          result = await step.run(deps);
        } catch (e) {
          log.error({ err: e, hop: hop.id, step: step.id }, 'cutover step failed');
          const why = e instanceof FenceTimeout ? `${e.message}. The app is still down on the source: Abort puts it back, Resume tries the fence again.` : (e as Error).message;
          return await this.fail(hop, step, me, why);
        }
        const recorded = await this.deps.runs.update(hop.id, (r) => recordStepEnd(r, me, step.id, 'done', result, Date.now()));
        if (!recorded) return await this.fencedOut(hop, me, `step ${step.id} ran, but the run had moved on when it ended`);
        await this.refresh(hop);
      }
      return await this.finish(hop, me);
    } finally {
      await lease.release();
    }
  }

  private runbook(hop: Hop): Step[] {
    return (this.deps.runbook ?? runbook)(hop);
  }

  private async claim(hop: Hop, step: Step, me: ExecutorIdentity): Promise<Exclude<StepClaim, { kind: 'run' }> | { kind: 'run'; run: CutoverRun }> {
    const { redis, keys, runs, migration, plan } = this.deps;
    const { result } = await updateMany<Exclude<StepClaim, { kind: 'run' }> | { kind: 'run'; run: CutoverRun }>(redis, [runs.key(hop.id), keys.lease(hop.id), keys.lock, migration.key], ([runRaw, lease, lockRaw, mRaw]) => {
      const { next, claim } = claimStep(parseRaw<CutoverRun>(runRaw), lease, parseRaw<LockRecord>(lockRaw), parseMigration(mRaw, plan), step.id, me, Date.now());
      if (next) return { writes: [setJson(next), KEEP, KEEP, KEEP], result: { kind: 'run' as const, run: next } };
      return { result: claim as Exclude<StepClaim, { kind: 'run' }> };
    });
    return result;
  }

  /** Until when the error rate is watched after this hop's cutover finished, if it finished. */
  async watchedUntil(hopId: string): Promise<number | undefined> {
    const run = await this.deps.runs.get(hopId);
    if (run?.status !== 'done' || !run.finishedAt) return undefined;
    return run.finishedAt + this.deps.plan.cutover.errorWatchMinutes * 60_000;
  }

  async status(hopId: string): Promise<CutoverRun['status'] | undefined> {
    return (await this.deps.runs.get(hopId))?.status;
  }

  /**
   * Abort, for run `runId` when a button names it: between steps while an executor runs it, or at
   * once (as a new attempt) when it failed, was interrupted or lost its executor. Decided in one
   * atomic check with the step claims: refused once the app-back step was claimed.
   */
  async abort(hopId: string, user: string, runId?: string): Promise<string> {
    const { runs, redis, keys, processId } = this.deps;
    const hop = this.hop(hopId);
    const fence = await this.nextFence();
    const me: ExecutorIdentity = { token: executorToken(processId, fence), fence };
    type Outcome = { reply: string } | { rollBack: true };
    const { result } = await updateMany<Outcome>(redis, [runs.key(hop.id), keys.lease(hop.id)], ([runRaw, lease]) => {
      const run = parseRaw<CutoverRun>(runRaw);
      if (!run || ENDED.includes(run.status)) return { result: { reply: 'There is no cutover to abort.' } };
      if (runId && run.id !== runId) return { result: { reply: `This Abort is for run ${runId}; the cutover of ${hop.id} is run ${run.id} now: nothing was done.` } };
      if ((run.steps['app-back']?.status ?? 'pending') !== 'pending') return { result: { reply: 'Too late to abort: the app is taking writes on the target; rolling back now would lose them.' } };
      if (run.status === 'aborting') return { result: { reply: 'An abort is already rolling this cutover back.' } };
      if (run.status === 'running' && lease) {
        if (run.abortRequested) return { result: { reply: `Abort was already requested by <@${run.abortRequested}>.` } };
        return { writes: [setJson({ ...run, abortRequested: user }), KEEP], result: { reply: 'Abort requested: the cutover stops before its next step and rolls back.' } };
      }
      if (lease) return { result: { reply: 'The executor is still finishing its step: try again in a few seconds.' } };
      if (run.status === 'running') {
        // Its executor lost its lease, but its step may still be under way: rolling back now could undo
        // before that step's side effect lands. Recovery marks the run interrupted; then Abort rolls back.
        const next = run.abortRequested ? undefined : setJson({ ...run, abortRequested: user });
        return { writes: next ? [next, KEEP] : undefined, result: { reply: 'The executor is not answering (its lease lapsed): nothing was undone yet. The recovery check marks the run interrupted within a few seconds; press Abort again then to roll back.' } };
      }
      const next: CutoverRun = { ...run, status: 'aborting', abortRequested: run.abortRequested ?? user, fence, attempt: run.attempt + 1, owner: processId };
      return { writes: [setJson(next), { set: me.token, ttlMs: this.leaseMs }], result: { rollBack: true } };
    });
    if ('reply' in result) {
      await this.refresh(hop);
      return result.reply;
    }
    const lease = new ExecutorLease(redis, { lease: keys.lease(hop.id), lock: keys.lock }, me.token, fence, this.leaseMs, this.deps.lock.ttlMs);
    lease.keepAlive(() => this.deps.log.error({ hop: hop.id, fence }, 'the roll back lost its lease'));
    try {
      return await this.rollback(hop, me, user);
    } finally {
      await lease.release();
    }
  }

  /**
   * Resume a failed or interrupted run (`runId` when a button names it): `user` must hold the lock;
   * the hold and the gates are checked again; a run stopped longer than resume_max_age_minutes ago
   * needs a new approval (`approved` is set when that approval runs it). A new attempt, a new fence.
   */
  async resume(hopId: string, user: string, opts: { runId?: string; approved?: boolean; now?: number } = {}): Promise<string> {
    const { runs, lock, processId, plan, redis, keys, migration, audit, log } = this.deps;
    const hop = this.hop(hopId);
    const now = opts.now ?? Date.now();
    const held = await lock.adoptFor(user);
    if (!held) return 'Resuming needs the migration lock: take it with `/migrate lock <reason>` first.';
    const run = await runs.get(hop.id);
    if (!run || (run.status !== 'interrupted' && run.status !== 'failed')) return 'There is no interrupted or failed cutover to resume.';
    if (opts.runId && run.id !== opts.runId) return `This Resume is for run ${opts.runId}; the cutover of ${hop.id} is run ${run.id} now: nothing was done.`;
    if (run.abortRequested) return `<@${run.abortRequested}> asked to abort this cutover: press Abort to finish rolling it back.`;
    const maxAgeMs = plan.cutover.resumeMaxAgeMinutes * 60_000;
    const stoppedFor = now - (run.stoppedAt ?? run.startedAt);
    if (!opts.approved && stoppedFor > maxAgeMs) {
      const why = `this cutover stopped ${Math.round(stoppedFor / 60_000)} min ago, more than resume_max_age_minutes (${plan.cutover.resumeMaxAgeMinutes})`;
      if (!this.deps.requestResumeApproval) return `Not resumed: ${why}.`;
      return `Not resumed yet: ${why}. ${await this.deps.requestResumeApproval(hop, run, user)}`;
    }
    const blocking = (await this.deps.resumeGates?.(hop, run)) ?? [];
    if (blocking.length) return `Not resumed: the gates say NO-GO now — ${blocking.join('; ')}.`;
    const fence = await this.nextFence();
    const { result: refusal } = await updateMany(redis, [keys.lock, runs.key(hop.id), migration.key, keys.lease(hop.id)], ([lockRaw, runRaw, mRaw, lease]) => {
      const l = parseRaw<LockRecord>(lockRaw);
      if (!l || l.holder !== user) return { result: 'you no longer hold the migration lock' };
      const r = parseRaw<CutoverRun>(runRaw);
      if (!r || r.id !== run.id || (r.status !== 'interrupted' && r.status !== 'failed') || r.abortRequested) return { result: `the run changed meanwhile (${r?.status ?? 'gone'})` };
      const m = parseMigration(mRaw, plan);
      if (m.hold) return { result: `the migration is on hold (${m.hold.reason})` };
      if (lease) return { result: 'an executor still holds the lease' };
      const steps = Object.fromEntries(Object.entries(r.steps).map(([id, s]) => [id, s.status === 'interrupted' || s.status === 'failed' || s.status === 'running' ? { ...s, status: 'pending' as const } : s]));
      const next: CutoverRun = { ...r, status: 'running', fence, attempt: r.attempt + 1, owner: processId, steps, failure: undefined, stoppedAt: undefined };
      return { writes: [setJson({ ...l, fence }), setJson(next), KEEP, { set: executorToken(processId, fence), ttlMs: this.leaseMs }], result: undefined };
    });
    if (refusal) return `Not resumed: ${refusal}.`;
    const lease = this.leaseOf(hop, fence);
    lease.keepAlive(() => log.error({ hop: hop.id, fence }, 'the cutover executor lost its lease: it stops before its next step'));
    void this.execute(hop.id, fence, lease).catch((e) => log.error({ err: e, hop: hop.id }, 'resumed cutover failed'));
    await audit.record({ actor: user, action: `cutover resumed: ${hop.id}`, outcome: 'ok', detail: `run ${run.id}, fence ${fence}${opts.approved ? ', approved again' : ''}` }).catch(() => undefined);
    return `Resuming the cutover of ${hop.id} from its first unfinished step (fencing token ${fence}).`;
  }

  /**
   * A run left running (or rolling back) by a process that died, its lease expired, is marked
   * interrupted and its timeline posted again with Resume and Abort. Nothing runs by itself.
   */
  async recoverInterrupted(now = Date.now()): Promise<string[]> {
    const { runs, redis, keys, channel } = this.deps;
    const found: string[] = [];
    for (const hop of this.deps.plan.hops) {
      const { result: marked } = await updateMany<CutoverRun | undefined>(redis, [runs.key(hop.id), keys.lease(hop.id)], ([runRaw, lease]) => {
        const r = parseRaw<CutoverRun>(runRaw);
        if (!r || (r.status !== 'running' && r.status !== 'aborting') || lease) return { result: undefined };
        const steps = Object.fromEntries(Object.entries(r.steps).map(([id, s]) => [id, s.status === 'running' ? { ...s, status: 'interrupted' as const } : s]));
        // The run stopped when it last showed life, not when recovery noticed: that is what Resume's age limit measures.
        const lastSign = Math.max(r.startedAt, ...Object.values(r.steps).flatMap((st) => [st.startedAt ?? 0, st.finishedAt ?? 0]));
        const next: CutoverRun = { ...r, status: 'interrupted', stoppedAt: Math.min(now, lastSign), steps };
        return { writes: [setJson(next), KEEP], result: next };
      });
      if (!marked) continue;
      const ref = await this.bounded(channel.post(cutoverTimelineView(hop, marked, Date.now())), 'post the interrupted cutover');
      if (ref) await runs.update(hop.id, (r) => (r.id === marked.id ? { ...r, message: ref } : undefined));
      found.push(hop.id);
    }
    return found;
  }

  /** What a step is given; the run is read fresh for each step, and its notes land only while this attempt owns it. */
  private async runbookDeps(hop: Hop, me: ExecutorIdentity, stepId = 'roll back'): Promise<RunbookDeps & { claimed(run: CutoverRun): void }> {
    let current = (await this.deps.runs.get(hop.id)) as CutoverRun;
    const note = async (change: (run: CutoverRun) => CutoverRun) => {
      current = (await this.deps.runs.update(hop.id, (r) => (r.fence === me.fence ? change(r) : undefined))) ?? current;
      return current;
    };
    return {
      ...this.deps.stepDeps(hop),
      note,
      warn: async (text) => {
        this.deps.log.warn({ hop: hop.id, step: stepId, warning: text }, 'cutover step warning');
        await note((r) => ({ ...r, warnings: [...(r.warnings ?? []).filter((w) => !(w.step === stepId && w.text === text)), { step: stepId, text, at: Date.now() }] }));
      },
      run: () => current,
      claimed: (run) => {
        current = run;
      },
    };
  }

  private async fail(hop: Hop, step: Step, me: ExecutorIdentity, why: string): Promise<string> {
    const recorded = await this.deps.runs.update(hop.id, (r) => recordStepEnd(r, me, step.id, 'failed', why, Date.now()));
    if (!recorded) return this.fencedOut(hop, me, `step ${step.id} failed (${why}), but the run had moved on`);
    await this.refresh(hop);
    return `cutover of ${hop.id} stopped at ${step.id}: ${why}`;
  }

  /** Stops the run before a step, without failing a step (a hold was placed). */
  private async stopRun(hop: Hop, me: ExecutorIdentity, why: string): Promise<string> {
    await this.deps.runs.update(hop.id, (r) => (r.fence === me.fence && r.status === 'running' ? { ...r, status: 'failed', failure: why, stoppedAt: Date.now() } : undefined));
    await this.refresh(hop);
    return `cutover of ${hop.id} stopped: ${why}`;
  }

  private async fencedOut(hop: Hop, me: ExecutorIdentity, why: string): Promise<string> {
    this.deps.log.error({ hop: hop.id, fence: me.fence, why }, 'fenced out: this cutover executor stops');
    await this.deps.audit.record({ actor: 'bot', action: `cutover executor fenced out: ${hop.id}`, outcome: 'refused', detail: `fence ${me.fence}: ${why}` }).catch(() => undefined);
    return `cutover of ${hop.id}: this executor (fencing token ${me.fence}) was fenced out and stopped: ${why}`;
  }

  private async abortAsExecutor(hop: Hop, me: ExecutorIdentity): Promise<string> {
    const marked = await this.deps.runs.update(hop.id, (r) => (r.fence === me.fence && r.status === 'running' && r.abortRequested ? { ...r, status: 'aborting' } : undefined));
    if (!marked) return this.fencedOut(hop, me, 'the run changed before the abort could begin');
    return this.rollback(hop, me, marked.abortRequested ?? 'bot');
  }

  /** Undoes the steps that ran, newest first, while this attempt owns the run; no write ever reached the target. */
  private async rollback(hop: Hop, me: ExecutorIdentity, user: string): Promise<string> {
    const { runs, migration, audit, plan, redis, keys } = this.deps;
    const run = (await runs.get(hop.id))!;
    const deps = await this.runbookDeps(hop, me);
    const undone: string[] = [];
    for (const step of [...this.runbook(hop)].reverse()) {
      const st = run.steps[step.id].status;
      if (!step.undo || st === 'pending' || st === 'skipped') continue;
      const [runRaw, lease] = await inStore(() => redis.mget(runs.key(hop.id), keys.lease(hop.id)));
      const current = parseRaw<CutoverRun>(runRaw);
      const lost = current?.status !== 'aborting' ? `the run is ${current?.status ?? 'gone'}` : lostRun(current, lease, me);
      if (lost) return this.fencedOut(hop, me, `roll back stopped before undoing ${step.id}: ${lost}`);
      try {
        undone.push(`${step.id}: ${await step.undo(deps)}`);
      } catch (e) {
        // Undoing the steps before it (bringing the app back) would be wrong now: the app may point at the target.
        return this.rollbackStopped(hop, me, user, step, [...undone, `${step.id}: UNDO FAILED — ${(e as Error).message}`]);
      }
    }
    const now = Date.now();
    await updateMany(redis, [runs.key(hop.id), migration.key], ([runRaw, mRaw]) => {
      const r = parseRaw<CutoverRun>(runRaw);
      if (!r || r.fence !== me.fence || r.status !== 'aborting') return { result: undefined };
      const m = parseMigration(mRaw, plan);
      const d = endCutoverWithoutWrites(m, hop.id, r.id, now);
      return { writes: [setJson({ ...r, status: 'aborted', finishedAt: now, undo: undone }), d.ok ? setJson(nextMigration(m, d.next, now)) : KEEP], result: undefined };
    });
    const summary = `${undone.join('; ') || 'nothing to undo'}. No write reached the target: the app never came back on it`;
    await audit.record({ actor: user, action: `cutover aborted: ${hop.id}`, outcome: 'ok', detail: summary });
    await this.refresh(hop);
    return `Cutover of ${hop.id} aborted and rolled back: ${summary}.`;
  }

  /** A roll back whose undo failed stops there, the run failed with the abort still asked for: Abort tries again from the top. */
  private async rollbackStopped(hop: Hop, me: ExecutorIdentity, user: string, step: Step, undone: string[]): Promise<string> {
    const why = `the roll back stopped: undoing ${step.id} failed, so the steps before it were left as they are (the app stays stopped). Done so far: ${undone.join('; ')}. Abort tries the roll back again`;
    await this.deps.runs.update(hop.id, (r) => (r.fence === me.fence && r.status === 'aborting' ? { ...r, status: 'failed', failure: why, stoppedAt: Date.now(), undo: undone } : undefined));
    await this.deps.audit.record({ actor: user, action: `cutover roll back stopped: ${hop.id}`, outcome: 'error', detail: why });
    await this.refresh(hop);
    return `Cutover of ${hop.id}: ${why}.`;
  }

  private async finish(hop: Hop, me: ExecutorIdentity): Promise<string> {
    const { runs, migration, plan, redis } = this.deps;
    const now = Date.now();
    const { result: refusal } = await updateMany(redis, [runs.key(hop.id), migration.key], ([runRaw, mRaw]) => {
      const r = parseRaw<CutoverRun>(runRaw);
      if (!r || r.fence !== me.fence || r.status !== 'running') return { result: `the run is ${r?.status ?? 'gone'} on fence ${r?.fence}` };
      const m = parseMigration(mRaw, plan);
      const d = finishCutover(m, plan, hop.id, r.id, now);
      if (!d.ok) return { result: d.why };
      return { writes: [setJson({ ...r, status: 'done', finishedAt: now }), setJson(nextMigration(m, d.next, now))], result: undefined };
    });
    if (refusal) return this.fencedOut(hop, me, `every step ran, but the run could not be marked done: ${refusal}`);
    await this.refresh(hop);
    const done = await runs.get(hop.id);
    if (done) await this.bounded(this.deps.channel.post(cutoverCompletionView(hop, done)), 'post the completion message');
    const warned = done?.warnings?.length ? ` with ${done.warnings.length} warning${done.warnings.length === 1 ? '' : 's'}` : '';
    return `cutover of ${hop.id} done${warned}`;
  }

  /** Edits the timeline in place, best-effort: a Slack brownout never holds a step longer than the bound. */
  async refresh(hop: Hop): Promise<void> {
    const run = await this.deps.runs.get(hop.id).catch(() => undefined);
    if (!run?.message) return;
    await this.bounded(this.deps.channel.update(run.message, cutoverTimelineView(hop, run, Date.now())), 'update the cutover timeline');
  }

  private async bounded<T>(work: Promise<T>, what: string): Promise<T | undefined> {
    const boundMs = this.deps.timelineBoundMs ?? 2000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        this.deps.log.warn({ boundMs }, `could not ${what} within the bound; going on without it`);
        resolve(undefined);
      }, boundMs);
    });
    const done = work.catch((e) => {
      this.deps.log.error({ err: e }, `could not ${what}`);
      return undefined;
    });
    try {
      return await Promise.race([done, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
