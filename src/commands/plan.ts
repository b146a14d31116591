import { planView } from '../views/plan-view';
import type { Subcommand } from './subcommand';

export const planCommand: Subcommand = {
  name: 'plan',
  usage: 'plan',
  summary: 'The hops and their runbook steps, with the state of each',
  mutating: false,
  changesMigration: false,
  async run(_inv, c) {
    return { reply: planView(c.plan, await c.migration.read()) };
  },
};
