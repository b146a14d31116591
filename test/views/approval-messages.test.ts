import type { ApprovalRequest } from '../../src/approvals/approval-request';
import type { AuditRecord } from '../../src/state/audit-log';
import { approvalView } from '../../src/views/approval-view';
import { historyView } from '../../src/views/history-view';

const now = Date.UTC(2026, 10, 30, 3, 0, 0);
const base: ApprovalRequest = {
  id: 'req-1', kind: 'cutover', title: 'Cutover of hop-one (heroku → ec2)', steps: ['Announce', 'Stop writes'], params: {}, requester: 'U0OPS1',
  requiredApprovals: 2, createdAt: now, expiresAt: now + 1800_000, status: 'pending', approvals: [],
};

const all = (r: ApprovalRequest) => JSON.stringify(approvalView(r).blocks);
const headerOf = (r: ApprovalRequest) => (approvalView(r).blocks[0] as { text: { text: string } }).text.text;

describe('an approval request reads for what it is now', () => {
  test('its header says approved, rejected, expired or withdrawn once it is', () => {
    expect(headerOf(base)).toBe('Approval needed: Cutover of hop-one (heroku → ec2)');
    expect(headerOf({ ...base, status: 'approved' })).toBe('Approved: Cutover of hop-one (heroku → ec2)');
    expect(headerOf({ ...base, status: 'rejected', closedBy: { user: 'U0APP1', at: now } })).toBe('Rejected: Cutover of hop-one (heroku → ec2)');
    expect(headerOf({ ...base, status: 'expired' })).toBe('Expired: Cutover of hop-one (heroku → ec2)');
    expect(headerOf({ ...base, status: 'invalidated', closedBy: { user: 'bot', at: now, reason: 'a gate turned bad' } })).toBe('Withdrawn: Cutover of hop-one (heroku → ec2)');
  });

  test('notes are not numbered as steps', () => {
    const text = all({ ...base, notes: ['Every gate is checked again before it starts.'] });
    expect(text).toContain('1. Announce');
    expect(text).toContain('2. Stop writes');
    expect(text).not.toMatch(/3\. Every gate/);
    expect(text).toContain('_Every gate is checked again before it starts._');
  });

  test('the warning stands apart, in bold with a warning sign, not as a step', () => {
    const view = approvalView({ ...base, kind: 'cutover.rollback', warning: 'Writes the app made on the target since the cutover stay there: they are NOT copied back to the source.' });
    const warning = view.blocks.find((b) => JSON.stringify(b).includes('NOT copied back')) as { text: { text: string } };
    expect(warning.text.text).toBe(':warning: *Writes the app made on the target since the cutover stay there: they are NOT copied back to the source.*');
    expect(JSON.stringify(view.blocks)).not.toMatch(/\d\. Writes the app made/);
  });

  test('a running action reads "Running since", never "Run running"', () => {
    const text = all({ ...base, status: 'approved', run: { status: 'running', startedAt: now } });
    expect(text).not.toContain('Run running');
    expect(text).toContain('*Running* since');
    expect(all({ ...base, status: 'approved', run: { status: 'succeeded', startedAt: now, finishedAt: now + 5000 } })).toContain('*Run succeeded* in 5 s');
  });
});

describe('history', () => {
  const rec = (r: Partial<AuditRecord>): AuditRecord => ({ id: '1-0', at: now, actor: 'U0OPS1', action: 'command dms', outcome: 'ok', ...r });

  test('a command line says which subcommand ran, as it was typed', () => {
    const text = JSON.stringify(historyView([rec({ command: 'dms hop-two stop', detail: 'task stopping' })]).blocks);
    expect(text).toContain('<@U0OPS1> ran `/migrate dms hop-two stop` — ok: task stopping');
  });
});
