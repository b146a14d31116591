import { planView } from '../views/plan-view';
import type { Subcommand } from './subcommand';

export const planCommand: Subcommand = {
  name: 'plan',
  usage: 'plan',
  summary: 'The hops and their runbook steps, with the state of each',
  mutating: false,
  changesMigration: false,
  async run(_inv, c) {
    const [migration, runs] = await Promise.all([c.migration.read(), Promise.all(c.plan.hops.map(async (h) => [h.id, await c.runs.get(h.id)] as const))]);
    return { reply: planView(c.plan, migration, Object.fromEntries(runs)) };
  },
};
