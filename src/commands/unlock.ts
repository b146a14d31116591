import { forceReleaseLock } from '../state/migration-lock';
import { lockReleasedView } from '../views/lock-view';
import { mention, notice } from '../views/slack-text';
import { UsageError, type Subcommand } from './subcommand';

export const unlockCommand: Subcommand = {
  name: 'unlock',
  usage: 'unlock [--force]',
  summary: 'Release the migration lock; --force releases a teammate\'s lock (audited)',
  mutating: true,
  changesMigration: true,
  async run(inv, c) {
    const unknown = inv.args.filter((a) => a !== '--force');
    if (unknown.length) throw new UsageError(`unexpected ${unknown.map((a) => `"${a}"`).join(', ')}`);
    const force = inv.args.includes('--force');
    const lock = await c.lock.read();
    if (!lock) return { reply: notice('Nobody holds the migration lock.'), detail: 'no lock' };
    if (lock.holder === inv.user) {
      const released = await c.lock.release(lock.token);
      if (!released) return { reply: notice('The lock changed hands while you asked; run `/migrate status`.'), outcome: 'refused' };
      return { reply: notice('You released the migration lock.'), announce: lockReleasedView(lock, inv.user, false), detail: `fence ${lock.fence}` };
    }
    if (!force) {
      return {
        reply: notice(`The lock is held by ${mention(lock.holder)}. Only they can release it, or an operator with \`/migrate unlock --force\`.`),
        outcome: 'refused',
        detail: `held by ${lock.holder}`,
      };
    }
    const removed = await forceReleaseLock(c.redis, c.keys);
    if (!removed) return { reply: notice('Nobody holds the migration lock.'), detail: 'no lock' };
    return {
      reply: notice(`You force-released the lock held by ${mention(removed.holder)}.`),
      announce: lockReleasedView(removed, inv.user, true),
      detail: `forced; was held by ${removed.holder} (fence ${removed.fence}): ${removed.reason}`,
    };
  },
};
