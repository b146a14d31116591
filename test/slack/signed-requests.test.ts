import { BotHarness, SIGNING_SECRET } from '../support/bot-harness';
import { sleep } from '../support/free-port';
import { postSigned, slashCommandBody } from '../support/signed-request';

describe('requests that Slack did not sign are refused', () => {
  let h: BotHarness;
  beforeAll(async () => {
    h = await BotHarness.start();
  });
  afterAll(() => h.stop());

  const cases: [string, Parameters<typeof postSigned>[2]][] = [
    ['a signature made with another secret', { secret: SIGNING_SECRET, signWith: 'not-the-secret' }],
    ['no signature header', { secret: SIGNING_SECRET, omitHeaders: ['signature'] }],
    ['no timestamp header', { secret: SIGNING_SECRET, omitHeaders: ['timestamp'] }],
    ['a timestamp over five minutes old (a replay)', { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ];

  test.each(cases)('%s: 401 and nothing runs', async (_name, opts) => {
    const before = (await h.bots[0].cutover.audit.recent(1000)).length;
    const key = `forged-${Math.random()}`;
    const body = slashCommandBody({ user: 'U0OPS1', text: 'lock forged', responseUrl: h.slack.responseUrl(key) });
    const res = await postSigned(`${h.url()}/slack/events`, body, opts);
    expect(res.status).toBe(401);
    await sleep(300);
    expect(h.slack.responsesTo(key)).toHaveLength(0);
    expect(await h.bots[0].cutover.lock.read()).toBeUndefined();
    expect((await h.bots[0].cutover.audit.recent(1000)).length).toBe(before);
  });

  test('the same request, signed properly, runs', async () => {
    expect(await h.command('U0OPS1', 'lock signed')).toContain('You hold the migration lock');
  });

  test('GET /healthz answers 200 with JSON while Redis answers', async () => {
    const res = await fetch(`${h.url()}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, redis: 'ok' });
  });
});
