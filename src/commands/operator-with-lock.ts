import { mention, notice } from '../views/slack-text';
import type { CommandResult, Cutover, Invocation } from './subcommand';

/**
 * For steps that change the migration: the person must be an operator and hold the lock.
 * Returns the refusal to send, or undefined when they may go ahead.
 */
export async function refuseUnlessOperatorWithLock(inv: Invocation, c: Cutover, what: string): Promise<CommandResult | undefined> {
  const access = await c.access.check(inv.user, 'operator');
  if (!access.allowed) return { reply: notice(`:no_entry: ${what} is for operators: ${access.why}. This attempt is recorded.`), outcome: 'denied', detail: access.why };
  const lock = await c.lock.read();
  if (!lock) return { reply: notice(`:lock: ${what} needs the migration lock: take it with \`/migrate lock <reason>\` first.`), outcome: 'refused', detail: 'no lock' };
  if (lock.holder !== inv.user) return { reply: notice(`:lock: ${what} needs the migration lock, which ${mention(lock.holder)} holds.`), outcome: 'refused', detail: `lock held by ${lock.holder}` };
  return undefined;
}
