import type { ApprovalRequest } from '../../src/approvals/approval-request';
import type { CutoverRun } from '../../src/cutover/cutover-run';
import { healthConditions } from '../../src/health/health-watch';
import { alertFiredView } from '../../src/views/alert-view';
import { APPROVE_ACTION, approvalView } from '../../src/views/approval-view';
import { CUTOVER_ABORT, CUTOVER_RESUME, cutoverTimelineView } from '../../src/views/cutover-view';
import { CUTOVER_CONTINUE_WRITERS, CUTOVER_TERMINATE_WRITERS } from '../../src/views/stray-writers-view';
import { testPlan } from '../support/test-plan';

type Confirm = { title: { type: string; text: string }; text: { type: string; text: string }; confirm: { type: string; text: string }; deny: { type: string; text: string }; style?: string };
type Button = { action_id: string; confirm?: Confirm };

const plan = testPlan();
const hop = plan.hops[0];
const now = Date.UTC(2026, 10, 30, 3, 0, 0);

/** Every button in the message, by action id. */
function buttons(blocks: unknown[]): Map<string, Button> {
  const out = new Map<string, Button>();
  for (const b of blocks as { type: string; elements?: Button[] }[]) if (b.type === 'actions') for (const e of b.elements ?? []) out.set(e.action_id, e);
  return out;
}

/** A confirm object as Slack accepts it: plain text within its limits (title 100, text 300, buttons 30). */
function expectValidConfirm(c: Confirm | undefined): Confirm {
  expect(c).toBeDefined();
  const confirm = c!;
  for (const f of [confirm.title, confirm.text, confirm.confirm, confirm.deny]) expect(f.type).toBe('plain_text');
  expect(confirm.title.text.length).toBeLessThanOrEqual(100);
  expect(confirm.text.text.length).toBeLessThanOrEqual(300);
  expect(confirm.confirm.text.length).toBeLessThanOrEqual(30);
  expect(confirm.deny.text.length).toBeLessThanOrEqual(30);
  expect(confirm.text.text).not.toContain('\n');
  return confirm;
}

function run(over: Partial<CutoverRun>): CutoverRun {
  return { id: 'run-1', hop: hop.id, requester: 'U0OPS1', fence: 7, attempt: 1, owner: 'p1', status: 'running', steps: {}, startedAt: now - 60_000, ...over };
}

const pendingCutover: ApprovalRequest = {
  id: 'req-1', kind: 'cutover', title: `Cutover of ${hop.id} (heroku → ec2)`, steps: ['Announce'], params: {}, requester: 'U0OPS1',
  requiredApprovals: 2, createdAt: now, expiresAt: now + 1800_000, status: 'pending', approvals: [],
};

describe('confirmation dialogs on the buttons that change the migration', () => {
  test('Approve on a cutover request says whether this approval starts it, and that writes stop', () => {
    const first = expectValidConfirm(buttons(approvalView(pendingCutover).blocks).get(APPROVE_ACTION)?.confirm);
    expect(first.text.text).toMatch(/1 of the 2 still needed/);
    expect(first.text.text).toMatch(/stops taking writes/);
    const last = expectValidConfirm(buttons(approvalView({ ...pendingCutover, approvals: [{ user: 'U0APP1', at: now }] }).blocks).get(APPROVE_ACTION)?.confirm);
    expect(last.text.text).toMatch(/completes the request: it runs at once/);
    expect(last.style).toBe('primary');
  });

  test('Abort and Resume on a stopped run say what each does, naming the step a Resume starts from', () => {
    const failed = run({ status: 'failed', steps: { announce: { status: 'done', attempts: 1 }, 'stop-writes': { status: 'done', attempts: 1 }, writers: { status: 'done', attempts: 1 }, fence: { status: 'failed', attempts: 1 } } });
    const b = buttons(cutoverTimelineView(hop, failed, now, 3).blocks);
    const abort = expectValidConfirm(b.get(CUTOVER_ABORT)?.confirm);
    expect(abort.text.text).toMatch(/every step that ran is undone: the app goes back to heroku/);
    expect(abort.style).toBe('danger');
    const resume = expectValidConfirm(b.get(CUTOVER_RESUME)?.confirm);
    expect(resume.text.text).toMatch(/from step 4 \(/);
  });

  test('Abort of a running cutover says it stops after the step running now', () => {
    const abort = expectValidConfirm(buttons(cutoverTimelineView(hop, run({}), now, 3).blocks).get(CUTOVER_ABORT)?.confirm);
    expect(abort.text.text).toMatch(/stops after the step running now/);
  });

  test('Terminate them and Continue anyway say they ask for approval and what follows', () => {
    const writer = { pid: 4242, backendStart: '2026-11-30 02:00:00.000000+00', role: 'nightly_job', application: 'cron', client: '10.0.0.9', database: 'app', connectedSeconds: 60, why: 'its role may write' };
    const stopped = run({ status: 'failed', steps: { writers: { status: 'failed', attempts: 1 } }, strayWriters: { listedAt: now, writers: [writer] } });
    const b = buttons(cutoverTimelineView(hop, stopped, now, 3).blocks);
    const terminate = expectValidConfirm(b.get(CUTOVER_TERMINATE_WRITERS)?.confirm);
    expect(terminate.text.text).toMatch(/approve ending the 1 session listed/);
    const cont = expectValidConfirm(b.get(CUTOVER_CONTINUE_WRITERS)?.confirm);
    expect(cont.text.text).toMatch(/what they write after the fence is lost/);
  });

  test('Roll back on the error-spike alert says the writes on the target are not copied back', () => {
    const spike = { id: 'rollbar.error-rate', label: 'Error rate', status: 'fail' as const, value: '40/min', source: 'Rollbar', observedAt: now };
    const [obs] = healthConditions([spike], { hop: hop.id, run: 'run-1', epoch: 3, rollbackAction: 'cutover.rollback' });
    const view = alertFiredView({ key: obs.key, since: now, summary: obs.summary, buttons: obs.buttons });
    const rollBack = expectValidConfirm(buttons(view.blocks).get('cutover.rollback')?.confirm);
    expect(rollBack.text.text).toMatch(/NOT copied back/);
    expect(rollBack.style).toBe('danger');
  });
});
