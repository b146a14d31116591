import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/** The app webhook's actions; each has a request and an answer schema in docs/webhook/. */
export const WEBHOOK_ACTIONS = ['formation', 'stop-writes', 'point-at', 'start-writes'] as const;
export type WebhookAction = (typeof WEBHOOK_ACTIONS)[number];

/** The payload's `version`: a receiver refuses one it does not know. */
export const WEBHOOK_CONTRACT_VERSION = 1;

// The same path from src/platform (tsx, jest) and dist/platform (npm start): the repo's docs/webhook.
export const WEBHOOK_SCHEMA_DIR = join(__dirname, '..', '..', 'docs', 'webhook');

type Validators = Record<WebhookAction, { request: ValidateFunction; answer: ValidateFunction }>;
let validators: Validators | undefined;

function load(): Validators {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const compile = (name: string) => ajv.compile(JSON.parse(readFileSync(join(WEBHOOK_SCHEMA_DIR, `${name}.schema.json`), 'utf8')));
  return Object.fromEntries(WEBHOOK_ACTIONS.map((a) => [a, { request: compile(`${a}.request`), answer: compile(`${a}.answer`) }])) as Validators;
}

/** Why `value` does not match the action's request or answer schema, in a line; undefined when it does. */
export function contractViolation(action: WebhookAction, side: 'request' | 'answer', value: unknown): string | undefined {
  validators ??= load();
  const validate = validators[action][side];
  if (validate(value)) return undefined;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(top level)'} ${e.message ?? 'is invalid'}${e.keyword === 'const' ? ` (${JSON.stringify(e.params.allowedValue)})` : ''}`).join('; ');
}
