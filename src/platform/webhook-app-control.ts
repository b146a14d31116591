import { randomUUID } from 'node:crypto';
import { requestJson } from '../health/http-json';
import type { AppControl } from './app-control';
import type { FormationEntry } from './heroku-api';
import { contractViolation, WEBHOOK_CONTRACT_VERSION, type WebhookAction } from './webhook-contract';
import { signWebhook } from './webhook-signature';

export interface WebhookSettings {
  /** From the env variable the plan names (`webhook_url_env`), so a token in it never reaches the plan. */
  url: string;
  /** The HMAC key, from the env variable the plan names (`webhook_secret_env`). */
  secret: string;
  hop: string;
  timeoutMs?: number;
}

/** A webhook secret shorter than this is refused: it could be guessed. */
export const MIN_WEBHOOK_SECRET_LENGTH = 16;

/** One thing wrong with a webhook app's settings: the variable, the plan field naming it, and what is wrong. */
export interface WebhookSettingProblem {
  variable: string;
  field: 'webhook_url_env' | 'webhook_secret_env';
  problem: string;
}

/** What is wrong with a webhook app's URL and signing secret as `env` holds them (start-up and the cutover's readiness ask alike). */
export function webhookSettingProblems(app: { webhookUrlEnv?: string; webhookSecretEnv?: string }, env: Record<string, string | undefined>): WebhookSettingProblem[] {
  const problems: WebhookSettingProblem[] = [];
  if (app.webhookUrlEnv) {
    const url = env[app.webhookUrlEnv]?.trim();
    const problem = url ? plainWebhookUrl(url) : 'is not set';
    if (problem) problems.push({ variable: app.webhookUrlEnv, field: 'webhook_url_env', problem });
  }
  if (app.webhookSecretEnv) {
    const secret = env[app.webhookSecretEnv] ?? '';
    if (secret.length < MIN_WEBHOOK_SECRET_LENGTH) problems.push({ variable: app.webhookSecretEnv, field: 'webhook_secret_env', problem: secret ? `is shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters` : 'is not set' });
  }
  return problems;
}

/**
 * For platforms other than Heroku: each action is a signed POST of JSON to the team's own webhook,
 * following the contract in docs/webhook/ (a request and an answer schema per action). An answer
 * outside its schema is refused: the step fails rather than guess what the app did.
 */
export function webhookAppControl(cfg: WebhookSettings): AppControl {
  const call = async <T>(action: WebhookAction, fields: Record<string, unknown>): Promise<T> => {
    if (cfg.secret.length < MIN_WEBHOOK_SECRET_LENGTH) throw new Error(`the app webhook's signing secret is missing or shorter than ${MIN_WEBHOOK_SECRET_LENGTH} characters: nothing was sent`);
    const plain = plainWebhookUrl(cfg.url);
    if (plain) throw new Error(`${plain}: nothing was sent`);
    const payload = { version: WEBHOOK_CONTRACT_VERSION, action, hop: cfg.hop, request_id: randomUUID(), ...fields };
    const wrong = contractViolation(action, 'request', payload);
    if (wrong) throw new Error(`the bot's own "${action}" request breaks the webhook contract (${wrong}): nothing was sent`);
    const body = JSON.stringify(payload);
    const answer = await requestJson<unknown>({ method: 'POST', url: cfg.url, body, headers: { 'Content-Type': 'application/json', ...signWebhook(cfg.secret, body) }, timeoutMs: cfg.timeoutMs ?? 30_000, followRedirects: false });
    const bad = contractViolation(action, 'answer', answer);
    if (bad) throw new Error(`the app webhook's answer to "${action}" does not follow the contract (docs/webhook/${action}.answer.schema.json): ${bad}`);
    return answer as T;
  };
  return {
    async formation(processTypes) {
      const { formation } = await call<{ formation: FormationEntry[] }>('formation', { process_types: processTypes });
      const wrong = formationProblem(processTypes, formation);
      if (wrong) throw new Error(`the app webhook's answer to "formation" ${wrong}: nothing was stopped (the saved formation is what start-writes restores)`);
      return formation.map((f) => ({ type: f.type, quantity: f.quantity, size: f.size }));
    },
    async stopWrites(processTypes) {
      await call('stop-writes', { process_types: processTypes });
    },
    async startWrites(saved) {
      await call('start-writes', { formation: saved.map((f) => ({ type: f.type, quantity: f.quantity, ...(f.size ? { size: f.size } : {}) })) });
    },
    async pointAt(configVar, databaseUrl) {
      const answer = await call<{ message?: string }>('point-at', { config_var: configVar, database_url: databaseUrl });
      return `${configVar} pointed through the app webhook${answer.message ? `: ${answer.message}` : ''}`;
    },
  };
}

/** Why a formation answer is not the formation of exactly the types asked for (each once); undefined when it is. */
function formationProblem(asked: string[], formation: FormationEntry[]): string | undefined {
  const named = formation.map((f) => f.type);
  const twice = named.filter((t, i) => named.indexOf(t) !== i);
  if (twice.length) return `names ${[...new Set(twice)].join(', ')} twice`;
  const extra = named.filter((t) => !asked.includes(t));
  if (extra.length) return `names ${extra.join(', ')}, which was not asked for`;
  const missing = asked.filter((t) => !named.includes(t));
  if (missing.length) return `names no ${missing.join(', ')}`;
  return undefined;
}

/**
 * Why the webhook URL may not carry `point-at` (the app's database URL, password included): anything
 * but https, except to this machine. Undefined when it may.
 */
export function plainWebhookUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'the app webhook URL is not a URL';
  }
  if (u.protocol === 'https:') return undefined;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol === 'http:' && loopback) return undefined;
  return `the app webhook URL must be https (it carries the app's database password), not ${u.protocol.replace(':', '')} to ${u.hostname}`;
}
