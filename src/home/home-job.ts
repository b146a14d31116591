import type { Job } from '../scheduler/job-scheduler';
import type { HomePublisher } from './home-publisher';

/** The leader refreshes the Home tab on the sampling schedule: what it shows changes at most that often. */
export function homeJob(publisher: HomePublisher, schedule: string): Job {
  return { name: 'app-home', schedule, run: async () => void (await publisher.refresh()) };
}
