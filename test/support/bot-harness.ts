import { randomUUID } from 'node:crypto';
import type { ApprovalAction } from '../../src/approvals/approval-service';
import { startBot, type RunningBot } from '../../src/bot';
import type { Settings } from '../../src/config/settings';
import { createLogger } from '../../src/log';
import type { Plan } from '../../src/plan/plan';
import type { LockTiming } from '../../src/state/migration-lock';
import { TEST_REDIS_URL } from './redis';
import { buttonClickBody, postSigned, slashCommandBody, type SendOptions, type SlackResponse } from './signed-request';
import { SlackStandIn } from './slack-stand-in';
import { testPlan } from './test-plan';

export const SIGNING_SECRET = 'test-signing-secret-0123456789';
export const BOT_TOKEN = 'xoxb-test-bot-token-0123456789';

export interface HarnessOptions {
  instances?: number;
  redisUrl?: string;
  plan?: Plan;
  lockTiming?: LockTiming;
  approvalActions?: Map<string, ApprovalAction>;
  approvalSweepMs?: number;
  slack?: SlackStandIn;
  databaseUrls?: Record<string, string>;
  /** Scheduled jobs (heartbeat, sampling, alerts): off unless a test asks. */
  jobs?: boolean;
  leaderTtlMs?: number;
  settings?: Partial<Settings>;
  awsRequestTimeoutMs?: number;
  /** The WebClient's retry policy; none by default in tests. */
  slackRetryConfig?: { retries: number; factor?: number; minTimeout?: number; maxTimeout?: number };
}

/**
 * One or more real bot instances (each with its own Redis connection and HTTP port) wired to a
 * local Slack stand-in, driven the way Slack drives them: signed requests to /slack/events.
 */
export class BotHarness {
  private constructor(
    readonly slack: SlackStandIn,
    readonly plan: Plan,
    readonly bots: RunningBot[],
    private readonly ownsSlack: boolean,
  ) {}

  static async start(opts: HarnessOptions = {}): Promise<BotHarness> {
    const slack = opts.slack ?? (await new SlackStandIn().start());
    const plan = opts.plan ?? testPlan();
    const bots: RunningBot[] = [];
    for (let i = 0; i < (opts.instances ?? 1); i++) {
      bots.push(
        await startBot({
          settings: { ...testSettings(slack, opts.redisUrl ?? TEST_REDIS_URL), ...opts.settings },
          plan,
          log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
          lockTiming: opts.lockTiming,
          slackRetryConfig: opts.slackRetryConfig ?? { retries: 0 },
          awsRequestTimeoutMs: opts.awsRequestTimeoutMs,
          approvalActions: opts.approvalActions,
          approvalSweepMs: opts.approvalSweepMs,
          databaseUrls: opts.databaseUrls,
          jobs: opts.jobs ?? false,
          leaderTtlMs: opts.leaderTtlMs,
        }),
      );
    }
    return new BotHarness(slack, plan, bots, !opts.slack);
  }

  url(instance = 0): string {
    return `http://127.0.0.1:${this.bots[instance].port}`;
  }

  /** Sends `/migrate <text>` as `user` and returns the HTTP answer plus a response_url key. */
  async sendCommand(user: string, text: string, opts: { instance?: number; send?: Partial<SendOptions> } = {}): Promise<SlackResponse & { key: string }> {
    const key = randomUUID();
    const body = slashCommandBody({ user, text, responseUrl: this.slack.responseUrl(key) });
    const res = await postSigned(`${this.url(opts.instance)}/slack/events`, body, { secret: SIGNING_SECRET, ...opts.send });
    return { ...res, key };
  }

  /** Sends `/migrate <text>` and waits for the bot's answer; returns what the person reads. */
  async command(user: string, text: string, instance = 0): Promise<string> {
    const res = await this.sendCommand(user, text, { instance });
    if (res.status !== 200) throw new Error(`/migrate ${text} got HTTP ${res.status}: ${res.body}`);
    return this.slack.replyTo(res.key);
  }

  /** Clicks a button on an approval message as `user`. */
  async click(user: string, actionId: string, value: string, opts: { instance?: number; retryNum?: number } = {}): Promise<SlackResponse & { key: string }> {
    const key = randomUUID();
    const body = buttonClickBody({ user, actionId, value, responseUrl: this.slack.responseUrl(key) });
    const res = await postSigned(`${this.url(opts.instance)}/slack/events`, body, { secret: SIGNING_SECRET, retryNum: opts.retryNum });
    return { ...res, key };
  }

  async stop(): Promise<void> {
    await Promise.all(this.bots.map((b) => b.stop()));
    if (this.ownsSlack) await this.slack.stop();
  }
}

export function testSettings(slack: SlackStandIn, redisUrl: string): Settings {
  return {
    slackBotToken: BOT_TOKEN,
    slackSigningSecret: SIGNING_SECRET,
    slackApiUrl: slack.apiUrl,
    port: 0,
    redisUrl,
    planPath: '(in memory)',
    logLevel: 'silent',
  };
}
