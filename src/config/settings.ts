import { accessSync, constants } from 'node:fs';
import { redisUrlOptions, redisUrlOptionsInWords, type RedisTls } from '../state/state-store';
import { z } from 'zod';

/** Process settings, read once from the environment (see README "Settings"). */
export interface Settings {
  slackBotToken: string;
  slackSigningSecret: string;
  slackAppToken?: string;
  slackApiUrl?: string;
  /** The workspace the bot serves; when unset, the bot token's (auth.test). */
  slackTeamId?: string;
  /** The app requests must name (api_app_id); when unset, not checked. */
  slackAppId?: string;
  port: number;
  redisUrl: string;
  /** rediss:// only: false encrypts without verifying (Heroku Redis's self-signed certificate). Default true. */
  redisTlsRejectUnauthorized?: boolean;
  /** rediss:// only: the CA bundle to verify Redis's certificate against, instead of the system's. */
  redisCaFile?: string;
  planPath: string;
  rollbarReadToken?: string;
  rollbarWriteToken?: string;
  herokuApiToken?: string;
  /** When set, GET /metrics answers only requests bearing it (Authorization: Bearer …). */
  metricsToken?: string;
  logLevel: string;
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const required = (what = 'is required') => z.string({ error: what }).trim().min(1, what);

const NOT_A_PORT = 'must be a port number (0 to 65535)';

const schema = z.object({
  SLACK_BOT_TOKEN: required(),
  SLACK_SIGNING_SECRET: required(),
  SLACK_APP_TOKEN: optional,
  SLACK_API_URL: optional.pipe(z.url('must be a URL').optional()),
  SLACK_TEAM_ID: optional.pipe(z.string().regex(/^T[A-Z0-9]{2,}$/, 'must be a Slack workspace ID (T…)').optional()),
  SLACK_APP_ID: optional.pipe(z.string().regex(/^A[A-Z0-9]{2,}$/, 'must be a Slack app ID (A…)').optional()),
  PORT: z.coerce.number({ error: NOT_A_PORT }).int(NOT_A_PORT).min(0, NOT_A_PORT).max(65535, NOT_A_PORT).default(3000),
  REDIS_URL: z
    .string()
    .trim()
    .default('redis://127.0.0.1:6379')
    .refine(isRedisUrl, 'must be a redis:// or rediss:// URL (or the path of a Unix socket)')
    .superRefine((url, ctx) => {
      const overriding = redisUrlOptions(url);
      if (overriding.length) ctx.addIssue({ code: 'custom', message: redisUrlOptionsInWords(overriding) });
    }),
  REDIS_TLS_REJECT_UNAUTHORIZED: optional.pipe(z.enum(['true', 'false'], { error: 'must be true or false' }).optional()),
  REDIS_CA_FILE: optional.pipe(z.string().refine(isReadableFile, 'must be the path of a readable CA bundle (PEM)').optional()),
  MIGRATION_PLAN: required('is required (path of the plan file)'),
  ROLLBAR_READ_TOKEN: optional,
  ROLLBAR_WRITE_TOKEN: optional,
  HEROKU_API_TOKEN: optional,
  METRICS_TOKEN: optional,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function isRedisUrl(value: string): boolean {
  if (value.startsWith('/')) return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Every bad variable at once: `problems` has one line per variable ("NAME: what is wrong"). */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n  ${problems.join('\n  ')}`);
  }
}

/** Reads and validates the settings; throws SettingsError naming every bad variable. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    slackBotToken: e.SLACK_BOT_TOKEN,
    slackSigningSecret: e.SLACK_SIGNING_SECRET,
    slackAppToken: e.SLACK_APP_TOKEN,
    slackApiUrl: e.SLACK_API_URL,
    slackTeamId: e.SLACK_TEAM_ID,
    slackAppId: e.SLACK_APP_ID,
    port: e.PORT,
    redisUrl: e.REDIS_URL,
    redisTlsRejectUnauthorized: e.REDIS_TLS_REJECT_UNAUTHORIZED !== 'false',
    redisCaFile: e.REDIS_CA_FILE,
    planPath: e.MIGRATION_PLAN,
    rollbarReadToken: e.ROLLBAR_READ_TOKEN,
    rollbarWriteToken: e.ROLLBAR_WRITE_TOKEN,
    herokuApiToken: e.HEROKU_API_TOKEN,
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
  };
}

/** The values that must never reach a log line or a Slack message. */
export function secretValues(settings: Settings): string[] {
  return [
    settings.slackBotToken,
    settings.slackSigningSecret,
    settings.slackAppToken,
    settings.rollbarReadToken,
    settings.rollbarWriteToken,
    settings.herokuApiToken,
    settings.metricsToken,
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Redis's TLS from the settings: verified unless REDIS_TLS_REJECT_UNAUTHORIZED=false, against REDIS_CA_FILE when set. */
export function redisTlsOf(settings: Pick<Settings, 'redisTlsRejectUnauthorized' | 'redisCaFile'>): RedisTls {
  return { rejectUnauthorized: settings.redisTlsRejectUnauthorized ?? true, caFile: settings.redisCaFile };
}
