import type { Logger } from '../../src/log';
import type { LeaderLease } from '../../src/scheduler/leader-lease';
import { JobScheduler } from '../../src/scheduler/job-scheduler';
import { eventually, sleep } from '../support/free-port';

describe('the job scheduler', () => {
  test('a job failing the same way every tick is logged once, and its recovery once', async () => {
    const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
    const log = {
      error: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'error', msg, obj }),
      info: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'info', msg, obj }),
    } as unknown as Logger;
    let runs = 0;
    let broken = true;
    const scheduler = new JobScheduler({ isLeader: true } as LeaderLease, log);
    scheduler.add({
      name: 'heartbeat',
      schedule: '* * * * * *',
      run: async () => {
        runs++;
        if (broken) throw new Error('relation "public.cutover_heartbeat" does not exist');
      },
    });
    try {
      await eventually(() => runs >= 3, 6000, 'three failing ticks');
      expect(lines).toEqual([{ level: 'error', msg: 'scheduled job failed', obj: expect.objectContaining({ job: 'heartbeat' }) }]);
      broken = false;
      const failed = runs;
      await eventually(() => lines.length === 2, 4000, 'the recovery line');
      expect(lines[1]).toEqual({ level: 'info', msg: 'scheduled job runs again', obj: { job: 'heartbeat', failedTicks: failed } });
      await sleep(1200);
      expect(lines).toHaveLength(2);
    } finally {
      await scheduler.stop();
    }
  });
});
