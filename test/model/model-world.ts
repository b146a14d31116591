import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { AccessControl } from '../../src/access/access-control';
import { ApprovalService, type ApprovalAction } from '../../src/approvals/approval-service';
import type { ApprovalRequest } from '../../src/approvals/approval-request';
import type { Cutover } from '../../src/commands/subcommand';
import { cutoverApprovalActions } from '../../src/cutover/cutover-approval-actions';
import { CutoverRunStore } from '../../src/cutover/cutover-run';
import { CutoverRunner } from '../../src/cutover/cutover-runner';
import { resumeApprovalRequester } from '../../src/cutover/resume-approval';
import { rollBackAfterCutover } from '../../src/cutover/roll-back-after-cutover';
import type { RunbookDeps, Step } from '../../src/cutover/runbook';
import { dmsApprovalActions } from '../../src/dms/dms-approval-actions';
import type { DmsMonitor } from '../../src/dms/dms-monitor';
import type { HealthGates } from '../../src/gates/health-gates';
import type { AppControl } from '../../src/platform/app-control';
import type { Hop, Plan } from '../../src/plan/plan';
import { runbookSteps } from '../../src/migration/runbook-steps';
import { ApprovalStore } from '../../src/state/approval-store';
import { AuditLog } from '../../src/state/audit-log';
import { keysFor, type Keys } from '../../src/state/keys';
import { MigrationLock } from '../../src/state/migration-lock';
import { MigrationState, type MigrationRecord } from '../../src/state/migration-state';
import type { StateStore } from '../../src/state/state-store';
import { testPlan } from '../support/test-plan';

/** One side effect the bot asked an outside system for (the app platform, DMS, a runbook step), as the recording ports saw it. */
export interface PortEvent {
  seq: number;
  kind: 'step' | 'undo' | 'point' | 'rollback' | 'dms-reload';
  process: string;
  hop: string;
  step?: string;
  runId?: string;
  fence?: number;
  attempt?: number;
  url?: string;
  /** How the call ended: undefined while pending (or forever, for a crashed process). */
  outcome?: 'ok' | 'failed';
  /** The migration record, the lock and the hop's executor lease as Redis had them when the call began. */
  migration?: MigrationRecord;
  lockFence?: number;
  lease?: string | null;
}

/**
 * Short timers in flight (a compare-and-set's back-off, a bounded wait): an actor sleeping on one is
 * not blocked on a port, so the world has not settled until they have fired or been cleared.
 */
let shortTimers = 0;
let tracking = false;
function trackShortTimers(): void {
  if (tracking) return;
  tracking = true;
  const original = { set: global.setTimeout, clear: global.clearTimeout };
  const live = new Set<unknown>();
  global.setTimeout = ((fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    if ((ms ?? 0) > 1000) return original.set(fn, ms, ...args);
    shortTimers++;
    const t: NodeJS.Timeout = original.set(
      (...a: unknown[]) => {
        if (live.delete(t)) shortTimers--;
        fn(...a);
      },
      ms,
      ...args,
    );
    live.add(t);
    return t;
  }) as typeof setTimeout;
  global.clearTimeout = ((t?: NodeJS.Timeout | string | number) => {
    if (live.delete(t)) shortTimers--;
    original.clear(t as NodeJS.Timeout);
  }) as typeof clearTimeout;
}

interface Pending {
  event: PortEvent;
  settle: (ok: boolean) => void;
}

/** Database URLs of the model's three databases, by the plan's database id. */
export const URLS: Record<string, string> = { heroku: 'postgres://heroku/app', ec2: 'postgres://ec2/app', aurora: 'postgres://aurora/app' };

/** One bot process of the model: the real lock, approvals, state machine and runner, with recording ports. */
export interface ModelProcess {
  id: string;
  dead: boolean;
  runner: CutoverRunner;
  approvals: ApprovalService;
  lock: MigrationLock;
  cutover: Cutover;
}

/**
 * The world a generated history runs in: one plan (two hops), real Redis, two bot processes and the
 * outside world as recording ports whose calls stay pending until the history releases them.
 */
export class ModelWorld {
  readonly plan: Plan = testPlan();
  readonly keys: Keys = keysFor(this.plan.name);
  readonly events: PortEvent[] = [];
  readonly pending: Pending[] = [];
  readonly processes: ModelProcess[] = [];
  readonly migration: MigrationState;
  readonly runs: CutoverRunStore;
  readonly approvalStore: ApprovalStore;
  /** Model clock offset: approvals and resumes see time jump. */
  clockOffset = 0;
  gatesBad = false;
  holdOn = false;
  private generation = 0;
  private readonly log = pino({ level: 'silent' });

  constructor(readonly redis: StateStore) {
    trackShortTimers();
    this.migration = new MigrationState(redis, this.keys, this.plan);
    this.runs = new CutoverRunStore(redis, this.keys.cutoverRun);
    this.approvalStore = new ApprovalStore(redis, this.keys);
    this.processes.push(this.process(0), this.process(1));
  }

  now(): number {
    return Date.now() + this.clockOffset;
  }

  /** A recording port call: logged at once with the migration as Redis has it, then pending until released. */
  private call(proc: { id: string; dead: boolean }, event: Omit<PortEvent, 'seq' | 'process'>): Promise<void> {
    const e: PortEvent = { ...event, seq: this.events.length, process: proc.id };
    this.events.push(e);
    // Issued now, on the one connection every actor shares: Redis answers it in order with what came before.
    void this.migration.read().then((m) => (e.migration = m), () => undefined);
    void this.redis.mget(this.keys.lock, this.keys.cutoverLease(e.hop)).then(([lock, lease]) => {
      e.lockFence = lock ? (JSON.parse(lock) as { fence: number }).fence : undefined;
      e.lease = lease;
    }, () => undefined);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({
        event: e,
        settle: (ok) => {
          if (proc.dead) return;
          e.outcome = ok ? 'ok' : 'failed';
          if (ok) resolve();
          else reject(new Error(`${e.kind} ${e.step ?? ''} failed (model)`));
        },
      });
    });
  }

  /** Releases the k-th pending call (modulo how many there are). */
  release(k: number, ok: boolean): void {
    if (!this.pending.length) return;
    const [p] = this.pending.splice(k % this.pending.length, 1);
    p.settle(ok);
  }

  /** The process dies: its calls never return, its leases are left to expire (deleted here); a new process takes its place and recovers. */
  async crash(slot: number): Promise<void> {
    const old = this.processes[slot];
    old.dead = true;
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i].event.process === old.id) this.pending.splice(i, 1);
    for (const hop of this.plan.hops) {
      const lease = await this.redis.get(this.keys.cutoverLease(hop.id));
      if (lease?.startsWith(`${old.id}/`)) await this.redis.del(this.keys.cutoverLease(hop.id));
    }
    this.processes[slot] = this.process(slot);
    await this.processes[slot].runner.recoverInterrupted();
  }

  /** Waits until every actor is blocked on a pending port call or finished: nothing in flight to Redis for a few turns. */
  async settle(): Promise<void> {
    let quiet = 0;
    let last = -1;
    for (let i = 0; i < 5000 && quiet < 4; i++) {
      await nextTurn();
      const queue = (this.redis as unknown as { commandQueue: { length: number } }).commandQueue.length;
      const mark = this.events.length * 1000 + this.pending.length;
      quiet = queue === 0 && shortTimers === 0 && mark === last ? quiet + 1 : 0;
      last = mark;
      if (queue > 0 || shortTimers > 0) await new Promise((r) => setTimeout(r, 1));
    }
  }

  async cleanUp(): Promise<void> {
    for (const p of this.processes) p.dead = true;
    this.pending.splice(0);
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `cutover:${this.plan.name}:*`, 'COUNT', 500);
      if (found.length) await this.redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
  }

  private process(slot: number): ModelProcess {
    const { redis, keys, plan, log } = this;
    const id = `p${slot}g${this.generation++}`;
    const proc = { id, dead: false } as ModelProcess;
    const lock = new MigrationLock(redis, keys, id, { ttlMs: 3600_000, handoffMs: 3600_000 });
    const access = new AccessControl(plan.access, { members: async () => [] });
    const audit = new AuditLog(redis, keys, 1000);
    const actions = new Map<string, ApprovalAction>();
    const approvals = new ApprovalService({ store: this.approvalStore, access, board: { post: async () => ({ channel: 'C', ts: '1' }), refresh: async () => undefined }, audit, actions, rules: plan.access, log });
    const channel = { post: async () => ({ channel: 'C', ts: '1' }), update: async () => undefined };
    const app = (hop: Hop): AppControl => ({
      formation: async () => [{ type: 'web', quantity: 1 }],
      stopWrites: () => this.call(proc, { kind: 'rollback', hop: hop.id, step: 'stop' }),
      startWrites: () => this.call(proc, { kind: 'rollback', hop: hop.id, step: 'start' }),
      pointAt: async (_var, url) => {
        await this.call(proc, { kind: 'point', hop: hop.id, url });
        return `pointed at ${url}`;
      },
    });
    const stepDeps = (hop: Hop) => ({ app: app(hop), sourceUrl: URLS[hop.source.id], targetUrl: URLS[hop.target.id] }) as unknown as Omit<RunbookDeps, 'note' | 'run'>;
    const steps = (hop: Hop): Step[] =>
      runbookSteps(hop).map((s) => ({
        id: s.id,
        title: s.title,
        describe: () => [],
        run: async (d) => {
          const r = d.run();
          // Step 6 points the app at the target: the call carries the URL.
          await this.call(proc, { kind: 'step', hop: hop.id, step: s.id, runId: r.id, fence: r.fence, attempt: r.attempt, url: s.id === 'repoint' ? URLS[hop.target.id] : undefined });
          return `${s.id} ok`;
        },
        undo:
          s.id === 'app-back' || s.id === 'verify' || s.id === 'done'
            ? undefined
            : async (d) => {
                const r = d.run();
                await this.call(proc, { kind: 'undo', hop: hop.id, step: s.id, runId: r.id, fence: r.fence, attempt: r.attempt, url: s.id === 'repoint' ? URLS[hop.source.id] : undefined });
                return `${s.id} undone`;
              },
      }));
    const gates = {
      goNoGo: async () => ({ go: !this.gatesBad, results: [], blocking: this.gatesBad ? [{ label: 'Replication lag', detail: 'the model says NO-GO' }] : [], at: Date.now() }),
    } as unknown as HealthGates;
    const runner = new CutoverRunner({
      plan,
      runs: this.runs,
      lock,
      migration: this.migration,
      channel,
      audit,
      redis,
      keys: { lock: keys.lock, fence: keys.fence, lease: keys.cutoverLease },
      processId: id,
      log,
      stepDeps,
      runbook: steps,
      resumeGates: async () => (this.gatesBad ? ['Replication lag (the model says NO-GO)'] : []),
      requestResumeApproval: resumeApprovalRequester(approvals, this.migration),
      leaseMs: 3600_000,
      timelineBoundMs: 50,
    });
    const dms = {
      start: async (hop: Hop) => {
        await this.call(proc, { kind: 'dms-reload', hop: hop.id });
        return { id: 'task', status: 'starting' };
      },
      reload: (hop: Hop) => this.call(proc, { kind: 'dms-reload', hop: hop.id }),
    } as unknown as DmsMonitor;
    const rollBack = (hop: Hop, by: string, runId: string | undefined) => rollBackAfterCutover({ plan, runs: this.runs, migration: this.migration, redis, audit, stepDeps, refresh: async () => undefined }, hop, by, runId);
    for (const [kind, action] of [...cutoverApprovalActions({ plan, gates, runner, migration: this.migration, rollBack, runs: this.runs, audit }), ...dmsApprovalActions({ plan, dms, lock, migration: this.migration })]) actions.set(kind, action);
    const cutover = { plan, redis, keys, lock, migration: this.migration, approvals, approvalStore: this.approvalStore, audit, access, gates, runner, runs: this.runs, cutoverReadiness: () => undefined } as unknown as Cutover;
    return Object.assign(proc, { runner, approvals, lock, cutover });
  }

  async pendingRequests(): Promise<ApprovalRequest[]> {
    return this.approvalStore.pending();
  }
}
