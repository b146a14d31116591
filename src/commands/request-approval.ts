import { ApprovalConflict, type NewApproval } from '../approvals/approval-service';
import type { ApprovalRequest } from '../approvals/approval-request';
import { DmsActionRefused } from '../dms/dms-guard';
import { escapeText, notice } from '../views/slack-text';
import type { CommandResult, Cutover } from './subcommand';

/** Posts an approval request, or the refusal a person reads when the same kind of request is already pending. */
export async function requestApproval(c: Cutover, input: NewApproval): Promise<{ request: ApprovalRequest } | { refusal: CommandResult }> {
  try {
    return { request: await c.approvals.request(input) };
  } catch (e) {
    if (!(e instanceof ApprovalConflict)) throw e;
    const why = `a request is already pending: "${e.existing.title}" (asked by <@${e.existing.requester}>)`;
    return { refusal: { reply: notice(`:no_entry: Not asked again: ${escapeText(why)}. Approve, reject or let it expire first.`), outcome: 'refused', detail: why } };
  }
}

/** A DMS action the migration refused now, as the reply; anything else is thrown on. */
export function dmsRefusal(e: unknown): CommandResult {
  if (!(e instanceof DmsActionRefused)) throw e;
  return { reply: notice(`:no_entry: ${escapeText(e.message)}`), outcome: 'refused', detail: e.message };
}
