import { openWarnings, type CutoverRun } from '../cutover/cutover-run';
import { lagChecks } from '../checks/lag-checks';
import { catchUpReader } from '../dms/hop-catch-up';
import { hopById } from '../plan/plan';
import { statusView } from '../views/status-view';
import { fullVerifyCheck } from '../verify/full/full-verify-gate';
import { FullVerifyStore, fullVerifyKeys } from '../verify/full/full-verify-store';
import type { Subcommand } from './subcommand';

/** The samples the catch-up estimate reads: the same 30 minutes as `lag` and the channel update. */
const CATCH_UP_WINDOW_MS = 30 * 60_000;

export const statusCommand: Subcommand = {
  name: 'status',
  usage: 'status',
  summary: 'Where the migration is: current hop and step, lag, alerts, lock, hold, pending approvals',
  mutating: false,
  changesMigration: false,
  async run(inv, c) {
    const migration = await c.migration.read();
    const [lock, pending, sample, alerts, run] = await Promise.all([c.lock.read(), c.approvalStore.pending(), c.samples.latest(migration.currentHop), c.monitor.openAlerts(), c.runs.get(migration.currentHop)]);
    const runs = await Promise.all(c.plan.hops.map((h) => c.runs.get(h.id)));
    const warned = runs.filter((r): r is CutoverRun => openWarnings(r).length > 0);
    const hop = hopById(c.plan, migration.currentHop);
    const trend = sample && hop ? await c.samples.since(hop.id, inv.now - CATCH_UP_WINDOW_MS) : [];
    const lag = sample && hop ? { sample, checks: lagChecks(sample, hop, migration.hops[hop.id]?.status === 'done'), catchUp: await catchUpReader(c.dms)(hop, trend, inv.now) } : undefined;
    const fullVerify = hop ? fullVerifyCheck(hop, c.plan, await new FullVerifyStore(c.redis, fullVerifyKeys(c.keys.verifyRun(hop.id))).last(), inv.now) : undefined;
    return { reply: statusView({ plan: c.plan, migration, run, lock, pending, lag, alerts, warned, fullVerify, now: inv.now }) };
  },
};
