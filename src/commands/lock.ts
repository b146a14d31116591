import { lockTakenView, lockRefusedView } from '../views/lock-view';
import { notice } from '../views/slack-text';
import type { Subcommand } from './subcommand';

const MAX_REASON = 500;

export const lockCommand: Subcommand = {
  name: 'lock',
  usage: 'lock [reason]',
  summary: 'Take the migration lock (mutating steps need it)',
  mutating: true,
  changesMigration: true,
  async run(inv, c) {
    const reason = inv.rest.slice(0, MAX_REASON) || 'no reason given';
    const out = await c.lock.acquire(inv.user, reason, inv.now);
    if (out.acquired) {
      return { reply: notice(`You hold the migration lock (fencing token ${out.lock.fence}).`), announce: lockTakenView(out.lock), detail: `fence ${out.lock.fence}: ${reason}` };
    }
    if (out.alreadyYours) {
      // Renewed by this process from now on: the one that took it may have died.
      await c.lock.adoptFor(inv.user);
      return { reply: notice(`You already hold the migration lock (fencing token ${out.lock.fence}).`), detail: 'already held by requester' };
    }
    return { reply: lockRefusedView(out.lock, inv.now), outcome: 'refused', detail: `held by ${out.lock.holder}` };
  },
};
