import type { LockRecord } from '../state/migration-lock';
import { duration, escapeText, mention, notice, type MessageView } from './slack-text';

export function lockLine(lock: (LockRecord & { expiresInMs?: number }) | undefined, now: number): string {
  if (!lock) return ':unlock: *Lock:* free';
  const handoff = lock.process === '' ? ' _(handed off by a stopping bot process; the next one adopts it)_' : '';
  return `:lock: *Lock:* held by ${mention(lock.holder)} for ${duration(now - lock.acquiredAt)} — "${escapeText(lock.reason)}" (fencing token ${lock.fence})${handoff}`;
}

export function lockTakenView(lock: LockRecord): MessageView {
  return notice(`:lock: ${mention(lock.holder)} took the migration lock: "${escapeText(lock.reason)}" (fencing token ${lock.fence}).`);
}

export function lockRefusedView(lock: LockRecord, now: number): MessageView {
  return notice(`:no_entry: The lock is taken. ${lockLine(lock, now).replace(':lock: *Lock:* ', '')}.`);
}

export function lockReleasedView(lock: LockRecord, by: string, forced: boolean): MessageView {
  if (!forced) return notice(`:unlock: ${mention(by)} released the migration lock.`);
  return notice(`:warning: ${mention(by)} *force-released* the migration lock held by ${mention(lock.holder)} ("${escapeText(lock.reason)}", fencing token ${lock.fence}).`);
}
