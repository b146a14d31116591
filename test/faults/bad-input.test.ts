import { randomUUID } from 'node:crypto';
import { BotHarness, SIGNING_SECRET } from '../support/bot-harness';
import { postSigned } from '../support/signed-request';

/** A small seeded generator, so that a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const FRAGMENTS = [
  'status', 'plan', 'lag', 'dms', 'sequences', 'verify', 'cutover', 'health', 'history', 'lock', 'unlock', 'hold', 'unhold', 'setup', 'help',
  '--force', '--dry-run', '--checksum', '--reload-target', 'fix', 'check', 'tables', 'errored', 'reload', 'start', 'stop', 'resume',
  "'; DROP TABLE orders; --", '" OR 1=1 --', '$(rm -rf /)', '`id`', '<!channel>', '<@U0OPS1>', '<https://evil.example|click>', '&amp;',
  '🚀', '数据库迁移', 'مرحبا', 'e\u0301\u0301\u0301', '\u202Eevil', '\u0000', '\t', '-1', '0', '99999999999999999999', 'NaN', 'hop-one', 'heroku-to-ec2',
  'public.orders', '"Mixed"."Case"', 'a.b.c', '.', '..', '*', '%s%s%s', '{{7*7}}', '\\', 'null', 'undefined',
];

function generate(n: number, seed = 20261125): string[] {
  const rnd = prng(seed);
  const pick = () => FRAGMENTS[Math.floor(rnd() * FRAGMENTS.length)];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const kind = rnd();
    if (kind < 0.05) out.push('x'.repeat(2000 + Math.floor(rnd() * 4000)));
    else if (kind < 0.1) out.push(Array.from({ length: 200 }, pick).join(' '));
    else out.push(Array.from({ length: 1 + Math.floor(rnd() * 6) }, pick).join(rnd() < 0.5 ? ' ' : '  '));
  }
  return out;
}

describe('bad input', () => {
  let h: BotHarness;
  const rejections: unknown[] = [];
  const onRejection = (e: unknown) => rejections.push(e);

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    h = await BotHarness.start();
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await h.stop();
  });

  test('1,000 generated slash-command texts from a non-operator: every one answered, nothing executed, no crash', async () => {
    const texts = generate(1000);
    const queue = [...texts.entries()];
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [i, text] = next;
          const res = await h.sendCommand('U0FUZZ', text);
          if (res.status !== 200) failures.push(`#${i}: HTTP ${res.status}`);
          else await h.slack.replyTo(res.key, 10_000).catch(() => failures.push(`#${i}: no answer to ${JSON.stringify(text.slice(0, 40))}`));
        }
      }),
    );
    expect(failures).toEqual([]);
    const c = h.bots[0].cutover;
    expect(await c.lock.read()).toBeUndefined();
    expect((await c.migration.read()).hold).toBeUndefined();
    expect(await c.approvalStore.pending()).toEqual([]);
    const audit = await c.audit.recent(100_000);
    expect(audit.filter((a) => a.actor === 'U0FUZZ' && a.outcome === 'ok' && /command (lock|unlock|hold|unhold|setup)$/.test(a.action))).toEqual([]);
    expect(rejections).toEqual([]);
    expect((await fetch(`${h.url()}/healthz`)).status).toBe(200);
  });

  test('malformed interaction payloads (signed) get 400 or an answer, no action and no crash', async () => {
    const bodies = [
      'payload=not-json',
      'payload=',
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions' }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0APP1' }, actions: [] }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0APP1' }, team: { id: 'T0TEAM' }, actions: [{ action_id: 'approval.approve', value: randomUUID(), type: 'button' }], response_url: h.slack.responseUrl('ghost') }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0APP1' }, actions: [{ action_id: 'approval.approve', value: 'x'.repeat(10_000), type: 'button' }], response_url: h.slack.responseUrl('huge') }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', user: { id: 'U0APP1' }, team: { id: 'T0TEAM' }, actions: [{ action_id: 'cutover.abort', value: '../../etc', type: 'button' }], response_url: h.slack.responseUrl('abort') }))}`,
      `payload=${encodeURIComponent(JSON.stringify({ type: 'no_such_type', user: { id: 'U0APP1' } }))}`,
      'command=%2Fmigrate',
      '',
    ];
    for (const body of bodies) {
      const res = await postSigned(`${h.url()}/slack/events`, body, { secret: SIGNING_SECRET });
      // Well-formed ones are acknowledged; the rest are refused as bad requests. Never a server error.
      expect([200, 400]).toContain(res.status);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.slack.replyTo('ghost')).toContain('no longer exists');
    expect(await h.slack.replyTo('abort')).toMatch(/Only operators|no hop/);
    expect(rejections).toEqual([]);
    expect(await h.command('U0ANYONE', 'status')).toContain('*Lock:* free');
  });
});
