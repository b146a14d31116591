import pino from 'pino';
import type Redis from 'ioredis';
import { CutoverRunStore } from '../../src/cutover/cutover-run';
import { CutoverRunner } from '../../src/cutover/cutover-runner';
import type { RunbookDeps, Step } from '../../src/cutover/runbook';
import { runbookSteps } from '../../src/migration/runbook-steps';
import type { Hop, Plan } from '../../src/plan/plan';
import { AuditLog } from '../../src/state/audit-log';
import { keysFor, type Keys } from '../../src/state/keys';
import { MigrationLock } from '../../src/state/migration-lock';
import { MigrationState } from '../../src/state/migration-state';
import { testPlan } from '../support/test-plan';

/** The app as the platform sees it: where DATABASE_URL points and whether it takes writes. */
export interface AppModel {
  url: string;
  maintenance: boolean;
  log: string[];
}

export const SOURCE = 'postgres://heroku/app';
export const TARGET = 'postgres://ec2/app';

/**
 * A small adversarial world: the real runner, lock, migration record and runs in real Redis, a
 * runbook whose side effects act on an app model. `gate(id)` makes a step's (or undo's, 'undo:id')
 * side effect wait until released; `failUndo` makes an undo throw.
 */
export class World {
  readonly plan: Plan = testPlan();
  readonly keys: Keys = keysFor(this.plan.name);
  readonly migration: MigrationState;
  readonly runs: CutoverRunStore;
  readonly app: AppModel = { url: SOURCE, maintenance: false, log: [] };
  readonly gates = new Map<string, { reached: Promise<void>; release: () => void }>();
  readonly failUndo = new Set<string>();
  readonly resumeApprovals: string[] = [];
  postDelayMs = 0;
  private readonly log = pino({ level: 'silent' });

  constructor(readonly redis: Redis) {
    this.migration = new MigrationState(redis, this.keys, this.plan);
    this.runs = new CutoverRunStore(redis, this.keys.cutoverRun);
  }

  get hop(): Hop {
    return this.plan.hops[0];
  }

  /** The side effect of `id` waits here until released; `reached` resolves when it got there. */
  gate(id: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const r = new Promise<void>((res) => (reached = res));
    const g = new Promise<void>((res) => (release = res));
    const entry = { reached: r, release, wait: async () => { reached(); await g; } };
    this.gates.set(id, entry as never);
    return { reached: r, release };
  }

  private async pass(id: string): Promise<void> {
    const g = this.gates.get(id) as unknown as { wait?: () => Promise<void> } | undefined;
    if (g?.wait) await g.wait();
  }

  lock(processId = 'p0'): MigrationLock {
    return new MigrationLock(this.redis, this.keys, processId, { ttlMs: 3600_000, handoffMs: 3600_000 });
  }

  runner(processId = 'p0', leaseMs = 3600_000): CutoverRunner {
    const { redis, keys, plan, log, app } = this;
    const effect: Record<string, (undo: boolean) => void> = {
      'stop-writes': (undo) => void (app.maintenance = !undo),
      repoint: (undo) => void (app.url = undo ? SOURCE : TARGET),
      'app-back': () => void (app.maintenance = false),
    };
    const steps = (hop: Hop): Step[] =>
      runbookSteps(hop).map((s) => ({
        id: s.id,
        title: s.title,
        describe: () => [],
        run: async () => {
          // The platform call is made (and lands) first; the answer may come back late.
          effect[s.id]?.(false);
          app.log.push(`${processId} run ${s.id}`);
          await this.pass(s.id);
          return `${s.id} ok`;
        },
        undo:
          s.id === 'app-back' || s.id === 'verify' || s.id === 'done'
            ? undefined
            : async () => {
                await this.pass(`undo:${s.id}`);
                if (this.failUndo.has(s.id)) throw new Error(`Heroku answered 503 to the undo of ${s.id}`);
                effect[s.id]?.(true);
                app.log.push(`${processId} undo ${s.id}`);
                return `${s.id} undone`;
              },
      }));
    return new CutoverRunner({
      plan,
      runs: this.runs,
      lock: this.lock(processId),
      migration: this.migration,
      channel: {
        post: async () => {
          await new Promise((r) => setTimeout(r, this.postDelayMs));
          return { channel: 'C', ts: '1' };
        },
        update: async () => undefined,
      },
      audit: new AuditLog(redis, keys, 1000),
      redis,
      keys: { lock: keys.lock, fence: keys.fence, lease: keys.cutoverLease },
      processId,
      log,
      stepDeps: () => ({}) as unknown as Omit<RunbookDeps, 'note' | 'run'>,
      runbook: steps,
      resumeGates: async () => [],
      requestResumeApproval: async (_hop, run) => {
        this.resumeApprovals.push(run.id);
        return 'An approval request to resume is in the channel.';
      },
      leaseMs,
      timelineBoundMs: 2000,
    });
  }

  async cleanUp(): Promise<void> {
    for (const g of this.gates.values()) g.release();
    let cursor = '0';
    do {
      const [next, found] = await this.redis.scan(cursor, 'MATCH', `cutover:${this.plan.name}:*`, 'COUNT', 500);
      if (found.length) await this.redis.del(...found);
      cursor = next;
    } while (cursor !== '0');
  }
}

export const until = async (check: () => Promise<boolean> | boolean, ms = 5000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};
