import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { startBot, type RunningBot } from '../../src/bot';
import { createLogger } from '../../src/log';
import { SIGNING_SECRET, testSettings } from '../support/bot-harness';
import { eventually } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';
import { postSigned, slashCommandBody } from '../support/signed-request';
import { BrownoutSlack } from '../support/brownout-slack';
import { OPERATORS, testPlan } from '../support/test-plan';

describe("the bot's Slack client, with Slack's default policy replaced by the bot's own", () => {
  const slack = new BrownoutSlack();
  const lines: { msg: string; err?: { message?: string } }[] = [];
  let bot: RunningBot;

  beforeAll(async () => {
    await slack.start();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(l) as (typeof lines)[number]);
        done();
      },
    });
    // No slackRetryConfig: the policy under test is the one `npm start` gets.
    bot = await startBot({ settings: testSettings(slack, TEST_REDIS_URL), plan: testPlan(), log: createLogger('info', sink), jobs: false });
  });
  afterAll(async () => {
    await bot.stop();
    await slack.stop();
  });

  /** Runs `/migrate <text>` (which announces in the channel) and returns how long the announcement took to give up. */
  async function announcementGivesUp(text: string, withinMs: number): Promise<{ ms: number; error: string }> {
    const before = lines.filter((l) => l.msg === 'could not announce in the channel').length;
    const started = Date.now();
    const key = randomUUID();
    const res = await postSigned(`http://127.0.0.1:${bot.port}/slack/events`, slashCommandBody({ user: OPERATORS[0], text, responseUrl: slack.responseUrl(key) }), { secret: SIGNING_SECRET });
    expect(res.status).toBe(200);
    const failed = await eventually(() => lines.filter((l) => l.msg === 'could not announce in the channel')[before], withinMs, `the announcement of "${text}" to give up`);
    return { ms: Date.now() - started, error: failed.err?.message ?? '' };
  }

  test('chat.postMessage that Slack never answers gives up after two timed-out attempts, within 12 s', async () => {
    slack.silent.add('chat.postMessage');
    try {
      const { ms } = await announcementGivesUp('hold slack brownout', 15_000);
      expect(ms).toBeGreaterThanOrEqual(10_000);
      expect(ms).toBeLessThan(12_000);
      expect(slack.unanswered.filter((m) => m === 'chat.postMessage')).toHaveLength(2);
    } finally {
      slack.silent.clear();
    }
  });

  test('chat.postMessage answered 500 every time gives up after three attempts, within 3 s', async () => {
    slack.override('chat.postMessage', () => ({ status: 500, body: 'internal error' }));
    try {
      const calls = slack.callsOf('chat.postMessage').length;
      const { ms, error } = await announcementGivesUp('unhold', 10_000);
      expect(ms).toBeLessThan(3_000);
      expect(error).toContain('500');
      expect(slack.callsOf('chat.postMessage').length - calls).toBe(3);
    } finally {
      slack.override('chat.postMessage', undefined);
    }
  });

  test('a rate limit asking for 30 s fails the call at once instead of stalling every Slack call', async () => {
    slack.override('chat.postMessage', () => ({ status: 429, headers: { 'Retry-After': '30' }, body: { ok: false, error: 'ratelimited' } }));
    try {
      const calls = slack.callsOf('chat.postMessage').length;
      const { ms, error } = await announcementGivesUp('hold rate limited for long', 10_000);
      expect(ms).toBeLessThan(2_000);
      expect(error).toContain('ratelimited');
      expect(slack.callsOf('chat.postMessage').length - calls).toBe(1);
    } finally {
      slack.override('chat.postMessage', undefined);
    }
  });

  test('a short rate limit is waited out, and a call rate limited every time still gives up within 8 s', async () => {
    slack.override('chat.postMessage', () => ({ status: 429, headers: { 'Retry-After': '1' }, body: { ok: false, error: 'ratelimited' } }));
    try {
      const calls = slack.callsOf('chat.postMessage').length;
      const { ms } = await announcementGivesUp('unhold', 15_000);
      expect(ms).toBeGreaterThanOrEqual(3_000);
      expect(ms).toBeLessThan(8_000);
      expect(slack.callsOf('chat.postMessage').length - calls).toBe(3);
    } finally {
      slack.override('chat.postMessage', undefined);
    }
  });
});
