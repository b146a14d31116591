import type { Plan } from '../plan/plan';
import type { Job } from '../scheduler/job-scheduler';
import type { DmsMonitor } from '../dms/dms-monitor';
import type { HealthGates } from '../gates/health-gates';
import type { LagMonitor } from './lag-monitor';

/** The scheduled work of lag monitoring, on the plan's schedules. */
export function monitoringJobs(monitor: LagMonitor, dms: DmsMonitor, gates: HealthGates, plan: Plan): Job[] {
  return [
    { name: 'heartbeat', schedule: plan.schedule.heartbeat, run: async () => void (await monitor.beat()) },
    { name: 'sample', schedule: plan.schedule.sample, run: async () => void (await monitor.sampleAndAlert()) },
    { name: 'dms', schedule: plan.schedule.dms, run: async () => void (await dms.poll()) },
    { name: 'health', schedule: plan.schedule.health, run: async () => void (await gates.watch()) },
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
