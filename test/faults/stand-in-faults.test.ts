import { randomBytes } from 'node:crypto';
import { parsePlan } from '../../src/plan/load-plan';
import { BotHarness } from '../support/bot-harness';
import { DmsStandIn, standInTables } from '../support/dms-stand-in';
import { eventually } from '../support/free-port';
import { messageText } from '../support/slack-stand-in';
import { APPROVERS, CHANNEL, OPERATORS } from '../support/test-plan';

describe('dependencies that fail', () => {
  const dms = new DmsStandIn();
  const saved = { ...process.env };
  let h: BotHarness;

  beforeAll(async () => {
    await dms.start();
    Object.assign(process.env, { AWS_ENDPOINT_URL_DATABASE_MIGRATION_SERVICE: dms.url, AWS_ACCESS_KEY_ID: 'AKIDTESTTEST', AWS_SECRET_ACCESS_KEY: 'test-secret-key' });
    dms.addTask('faulty').tables = standInTables(3);
    h = await BotHarness.start({
      plan: parsePlan(`
name: t-${randomBytes(5).toString('hex')}
channel: ${CHANNEL}
databases: { ec2: { url_env: EC2_URL }, aurora: { url_env: AURORA_URL } }
hops: [{ id: ec2-to-aurora, method: dms, source: ec2, target: aurora, dms: { task: faulty, region: us-east-1 } }]
access: { operators: [${OPERATORS.join(', ')}], approvers: [${APPROVERS.join(', ')}] }
`),
      awsRequestTimeoutMs: 400,
      // Slack's own retry policy, quickened: a 429 must be waited out, not dropped.
      slackRetryConfig: { retries: 3, factor: 1, minTimeout: 10, maxTimeout: 50 },
    });
  });
  afterAll(async () => {
    await h.stop();
    await dms.stop();
    process.env = saved;
  });

  test.each([
    ['500', 'status-500', /API error\* \(InternalFailure\)|API error\*/],
    ['no answer (hangs)', 'hang', /API error\*/],
    ['garbage', 'garbage', /API error\*/],
  ] as const)('DMS answering %s: a clear error, never a crash or a silent success', async (_name, fault, expected) => {
    dms.fault = fault;
    try {
      const started = Date.now();
      const text = await h.command('U0ANYONE', 'dms status');
      expect(text).toMatch(expected);
      expect(text).not.toContain('*Status:*');
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      dms.fault = undefined;
    }
    expect(await h.command('U0ANYONE', 'dms status')).toContain('*Status:* running');
  });

  test('Slack answering 429 with Retry-After on chat.postMessage: the bot waits and the message is posted once', async () => {
    let limited = 0;
    h.slack.override('chat.postMessage', () => (limited++ < 1 ? { status: 429, headers: { 'Retry-After': '1' }, body: { ok: false, error: 'ratelimited' } } : undefined));
    try {
      const started = Date.now();
      await h.command('U0OPS1', 'hold rate limit test');
      const announcements = () => h.slack.callsOf('chat.postMessage').filter((c) => messageText(c.args).includes('rate limit test'));
      await eventually(() => announcements().length === 2, 10_000, 'the retried post');
      const [first, second] = h.slack.callsOf('chat.postMessage').filter((c) => messageText(c.args).includes('rate limit test'));
      expect(first.result).toBeUndefined();
      expect(second.result?.ok).toBe(true);
      expect(second.at - first.at).toBeGreaterThanOrEqual(950);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      h.slack.override('chat.postMessage', undefined);
      await h.command('U0OPS1', 'unhold');
    }
  });
});
