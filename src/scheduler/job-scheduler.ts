import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log';
import type { LeaderLease } from './leader-lease';

export interface Job {
  name: string;
  /** node-cron expression; a leading seconds field is allowed. */
  schedule: string;
  run(): Promise<void>;
}

/**
 * Runs jobs on their cron schedules, only in the process that holds the leader lease, never two
 * runs of one job at once. A job that throws is logged and runs again on its next tick.
 */
export class JobScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<void>>();

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
        const p = job.run().catch((e) => this.log.error({ err: e, job: job.name }, 'scheduled job failed'));
        this.running.add(p);
        await p;
        this.running.delete(p);
      },
      { name: job.name, noOverlap: true, timezone: this.timezone },
    );
    this.tasks.push(task);
  }

  /** Stops scheduling and waits for the jobs that are running. */
  async stop(): Promise<void> {
    await Promise.all(this.tasks.map((t) => t.stop()));
    await Promise.allSettled([...this.running]);
    await Promise.all(this.tasks.map((t) => t.destroy()));
  }
}
