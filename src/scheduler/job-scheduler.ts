import cron, { type ScheduledTask } from 'node-cron';
import { settlesWithin } from '../lifecycle/settles-within';
import type { Logger } from '../log';
import type { LeaderLease } from './leader-lease';

export interface Job {
  name: string;
  /** node-cron expression; a leading seconds field is allowed. */
  schedule: string;
  run(): Promise<void>;
}

/** A job failing the same way on every tick is logged again only this often. */
const REPEAT_LOG_MS = 5 * 60_000;

/**
 * Runs jobs on their cron schedules, only in the process that holds the leader lease, never two
 * runs of one job at once. A job that throws is logged and runs again on its next tick; the same
 * failure tick after tick is logged once (and every 5 minutes while it lasts), then its recovery.
 */
export class JobScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly failing = new Map<string, { message: string; loggedAt: number; repeats: number }>();

  constructor(
    private readonly lease: LeaderLease,
    private readonly log: Logger,
    private readonly timezone = 'UTC',
  ) {}

  add(job: Job): void {
    const task = cron.schedule(
      job.schedule,
      async () => {
        if (!this.lease.isLeader) return;
        const p = job.run().then(
          () => this.succeeded(job.name),
          (e) => this.failed(job.name, e),
        );
        this.running.add(p);
        await p;
        this.running.delete(p);
      },
      { name: job.name, noOverlap: true, timezone: this.timezone },
    );
    this.tasks.push(task);
  }

  private succeeded(job: string): void {
    const f = this.failing.get(job);
    if (!f) return;
    this.failing.delete(job);
    this.log.info({ job, failedTicks: f.repeats + 1 }, 'scheduled job runs again');
  }

  private failed(job: string, e: unknown, now = Date.now()): void {
    const message = (e as Error)?.message ?? String(e);
    const f = this.failing.get(job);
    if (f && f.message === message && now - f.loggedAt < REPEAT_LOG_MS) {
      f.repeats++;
      return;
    }
    this.log.error({ err: e, job, sameFailureTicks: f?.message === message ? f.repeats + 1 : undefined }, 'scheduled job failed');
    this.failing.set(job, { message, loggedAt: now, repeats: 0 });
  }

  /** Stops scheduling and waits for the jobs that are running, at most `drainMs`; false if some still run. */
  async stop(drainMs = 5_000): Promise<boolean> {
    await Promise.all(this.tasks.map((t) => t.stop()));
    const drained = await settlesWithin(Promise.allSettled([...this.running]), drainMs);
    await Promise.all(this.tasks.map((t) => t.destroy()));
    return drained;
  }
}
