import type { Plan } from '../plan/plan';
import type { Job } from '../scheduler/job-scheduler';
import type { DmsMonitor } from '../dms/dms-monitor';
import type { LagMonitor } from './lag-monitor';

/** The scheduled work of lag monitoring, on the plan's schedules. */
export function monitoringJobs(monitor: LagMonitor, dms: DmsMonitor, plan: Plan): Job[] {
  return [
    { name: 'heartbeat', schedule: plan.schedule.heartbeat, run: async () => void (await monitor.beat()) },
    { name: 'sample', schedule: plan.schedule.sample, run: async () => void (await monitor.sampleAndAlert()) },
    { name: 'dms', schedule: plan.schedule.dms, run: async () => void (await dms.poll()) },
    {
      name: 'channel-update',
      schedule: plan.schedule.update,
      run: async () => {
        const dmsLine = await dms.progressLine().catch(() => undefined);
        await monitor.postUpdate(Date.now(), dmsLine ? [dmsLine] : []);
      },
    },
  ];
}
