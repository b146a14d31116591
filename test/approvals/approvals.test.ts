import type { ApprovalAction } from '../../src/approvals/approval-service';
import type { ApprovalRequest } from '../../src/approvals/approval-request';
import { APPROVE_ACTION, REJECT_ACTION } from '../../src/views/approval-view';
import { BotHarness } from '../support/bot-harness';
import { eventually, sleep } from '../support/free-port';
import { messageText } from '../support/slack-stand-in';
import { APPROVER_GROUP, APPROVERS, testPlan } from '../support/test-plan';

/** An action that counts its runs; both bot instances live in this process, so it sees runs in either. */
function countingAction(runs: { count: number; ids: string[] }): ApprovalAction {
  return async (req) => {
    runs.count++;
    runs.ids.push(req.id);
    await sleep(50);
    return `ran ${String(req.params.what)}`;
  };
}

describe('approvals with buttons', () => {
  const runs = { count: 0, ids: [] as string[] };
  let h: BotHarness;

  beforeAll(async () => {
    h = await BotHarness.start({ instances: 2, approvalActions: new Map([['test.count', countingAction(runs)]]), approvalSweepMs: 200 });
    h.slack.usergroups.set(APPROVER_GROUP, ['U0GROUPAPP']);
  });
  afterAll(() => h.stop());

  /** A second bot on the same Slack whose requests live one minute, swept every 100 ms. */
  const shortLived = () =>
    BotHarness.start({
      plan: testPlan({ approvalTtlMinutes: 1 }),
      approvalActions: new Map([['test.count', countingAction(runs)]]),
      approvalSweepMs: 100,
      slack: h.slack,
    });
  const ask = (requester = 'U0OPS1', what = 'the thing') =>
    h.bots[0].cutover.approvals.request({ kind: 'test.count', title: `Do ${what}`, steps: ['First step', 'Second step'], params: { what }, requester });
  const latest = async (id: string) => (await h.bots[0].cutover.approvalStore.get(id)) as ApprovalRequest;
  const reply = (key: string) => h.slack.replyTo(key);
  const lastEdit = (req: ApprovalRequest) => {
    const edits = h.slack.callsOf('chat.update').filter((c) => c.args.ts === req.message?.ts);
    return edits.length ? messageText(edits[edits.length - 1].args) : '';
  };

  test('the request is posted in the channel with what will be done and Approve / Reject buttons', async () => {
    const req = await ask('U0OPS1', 'posting');
    const post = h.slack.callsOf('chat.postMessage').find((c) => c.args.ts === undefined && messageText(c.args).includes('Do posting'))!;
    expect(post.args.channel).toBe(h.plan.channel);
    const text = messageText(post.args);
    expect(text).toContain('1. First step');
    expect(text).toContain('2. Second step');
    expect(text).toContain('Approvals:* 0 of 2');
    expect(text).toMatch(/Expires <!date\^\d+/);
    const actions = (post.args.blocks as { type: string; elements?: { action_id: string }[] }[]).find((b) => b.type === 'actions')!;
    expect(actions.elements!.map((e) => e.action_id)).toEqual([APPROVE_ACTION, REJECT_ACTION]);
    expect(req.message?.ts).toBeDefined();
  });

  test('the requester cannot approve their own request', async () => {
    const req = await ask('U0OPS1', 'self');
    const click = await h.click('U0OPS1', APPROVE_ACTION, req.id);
    expect(click.status).toBe(200);
    expect(await reply(click.key)).toContain('cannot approve your own request');
    expect((await latest(req.id)).approvals).toHaveLength(0);
  });

  test('someone outside the approvers is refused, and it is audited', async () => {
    const req = await ask('U0OPS1', 'outsider');
    const click = await h.click('U0STRANGER', APPROVE_ACTION, req.id);
    expect(await reply(click.key)).toContain("not one of the plan's approvers");
    expect((await latest(req.id)).approvals).toHaveLength(0);
    const audit = await h.bots[0].cutover.audit.recent(5);
    expect(audit.some((a) => a.actor === 'U0STRANGER' && a.outcome === 'denied')).toBe(true);
  });

  test('two distinct approvers approve; the message shows who and when; the action runs once', async () => {
    const before = runs.count;
    const req = await ask('U0OPS1', 'two approvals');
    expect(await reply((await h.click('U0APP1', APPROVE_ACTION, req.id)).key)).toContain('approval is recorded');
    expect(await reply((await h.click('U0APP1', APPROVE_ACTION, req.id, { instance: 1 })).key)).toContain('already approved');
    await eventually(() => lastEdit(req).includes('1 of 2'));
    expect(lastEdit(req)).toMatch(/<@U0APP1> at <!date\^\d+/);
    expect(await reply((await h.click('U0GROUPAPP', APPROVE_ACTION, req.id, { instance: 1 })).key)).toContain('completed the request');
    await eventually(() => lastEdit(req).includes('Run succeeded'), 5000, 'the run result in the message');
    const text = lastEdit(req);
    expect(text).toContain('Approved');
    expect(text).toContain('ran two approvals');
    // `history` reads "the bot ran the approved action: …", not "the bot approved action ran".
    expect((await h.bots[0].cutover.audit.recent(5)).map((a) => a.action)).toContain(`ran the approved action: ${req.title}`);
    expect(text).not.toContain('Approve\n');
    expect(runs.count).toBe(before + 1);
  });

  test('a reject ends the request; later approvals run nothing', async () => {
    const before = runs.count;
    const req = await ask('U0OPS1', 'rejected');
    expect(await reply((await h.click('U0APP2', REJECT_ACTION, req.id)).key)).toContain('rejected');
    await eventually(() => lastEdit(req).includes('Rejected: nothing will run'));
    expect(lastEdit(req)).toContain('by <@U0APP2>');
    await h.click('U0APP3', APPROVE_ACTION, req.id);
    const last = await h.click('U0APP4', APPROVE_ACTION, req.id);
    expect(await reply(last.key)).toContain('already closed');
    expect(runs.count).toBe(before);
  });

  test('20 concurrent Approve clicks across two instances run the action exactly once', async () => {
    const before = runs.count;
    const req = await ask('U0OPS1', 'race');
    const clickers = APPROVERS.filter((u) => u !== 'U0OPS1');
    const clicks = await Promise.all(Array.from({ length: 20 }, (_, i) => h.click(clickers[i % clickers.length], APPROVE_ACTION, req.id, { instance: i % 2 })));
    expect(clicks.every((c) => c.status === 200)).toBe(true);
    const replies = await Promise.all(clicks.map((c) => reply(c.key)));
    expect(replies.filter((r) => r.includes('completed the request'))).toHaveLength(1);
    await eventually(async () => (await latest(req.id)).run?.status === 'succeeded', 5000, 'the run to finish');
    await sleep(300);
    expect(runs.count).toBe(before + 1);
    expect(runs.ids.filter((id) => id === req.id)).toHaveLength(1);
    expect((await latest(req.id)).approvals).toHaveLength(2);
  });

  test('a replayed click (X-Slack-Retry-Num) runs nothing twice', async () => {
    const before = runs.count;
    const req = await ask('U0OPS1', 'retried');
    await reply((await h.click('U0APP5', APPROVE_ACTION, req.id)).key);
    await reply((await h.click('U0APP6', APPROVE_ACTION, req.id)).key);
    await eventually(async () => (await latest(req.id)).run?.status === 'succeeded');
    const retry = await h.click('U0APP6', APPROVE_ACTION, req.id, { retryNum: 1, instance: 1 });
    expect(retry.status).toBe(200);
    expect(await reply(retry.key)).toContain('already closed');
    await sleep(200);
    expect(runs.count).toBe(before + 1);
  });

  test('a request expires: the message says so, and a late approval runs nothing', async () => {
    const short = await shortLived();
    try {
      const before = runs.count;
      const now = Date.now();
      const req = await short.bots[0].cutover.approvals.request({ kind: 'test.count', title: 'Do expiring', steps: ['x'], params: {}, requester: 'U0OPS1' }, now - 61_000);
      await eventually(() => lastEdit(req).includes('Expired: nothing will run'), 5000, 'the expiry edit');
      const late = await short.click('U0APP1', APPROVE_ACTION, req.id);
      expect(await short.slack.replyTo(late.key)).toContain('already closed');
      expect(runs.count).toBe(before);
    } finally {
      await short.stop();
    }
  });

  // The request is closed (here by the expiry sweep) while its message is still being posted: no edit
  // could be made then (no message yet), and none was made after, so the channel kept live buttons.
  test('a request closed while its message is being posted: the message is redrawn closed once it is there', async () => {
    const short = await shortLived();
    h.slack.delays.set('chat.postMessage', (args) => (messageText(args).includes('Do slow to post') ? 500 : 0));
    try {
      const req = await short.bots[0].cutover.approvals.request({ kind: 'test.count', title: 'Do slow to post', steps: ['x'], params: {}, requester: 'U0OPS1' }, Date.now() - 61_000);
      expect((await short.bots[0].cutover.approvalStore.get(req.id))!.status).toBe('expired');
      await eventually(() => lastEdit(req).includes('Expired: nothing will run'), 5000, 'the expiry edit');
    } finally {
      h.slack.delays.delete('chat.postMessage');
      await short.stop();
    }
  });

  test('a click after the expiry time but before the sweep is refused as expired', async () => {
    const before = runs.count;
    const req = await h.bots[0].cutover.approvals.request({ kind: 'test.count', title: 'Do stale', steps: ['x'], params: {}, requester: 'U0OPS1' }, Date.now() - 31 * 60_000);
    const { reply: clicked } = await h.bots[0].cutover.approvals.vote(req.id, 'U0APP1', 'approve');
    expect(clicked).toMatch(/has expired|already closed/);
    expect(runs.count).toBe(before);
    expect((await latest(req.id)).status).toBe('expired');
  });

  test('an action that fails is shown as failed and recorded, and does not run again', async () => {
    let attempts = 0;
    const failing = await BotHarness.start({
      approvalActions: new Map([['test.fail', async () => Promise.reject(new Error(`the target refused (attempt ${++attempts})`))]]),
      slack: h.slack,
    });
    try {
      const req = await failing.bots[0].cutover.approvals.request({ kind: 'test.fail', title: 'Do failing', steps: ['x'], params: {}, requester: 'U0OPS1' });
      await failing.bots[0].cutover.approvals.vote(req.id, 'U0APP1', 'approve');
      await (await failing.bots[0].cutover.approvals.vote(req.id, 'U0APP2', 'approve')).running;
      await eventually(() => lastEdit(req).includes('Run failed'));
      expect(lastEdit(req)).toContain('the target refused (attempt 1)');
      const audit = await failing.bots[0].cutover.audit.recent(3);
      expect(audit.some((a) => a.outcome === 'error' && a.detail === 'the target refused (attempt 1)')).toBe(true);
      expect((await failing.bots[0].cutover.approvals.vote(req.id, 'U0APP3', 'approve')).reply).toContain('already closed');
      expect(attempts).toBe(1);
    } finally {
      await failing.stop();
    }
  });
});
