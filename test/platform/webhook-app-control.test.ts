import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv from 'ajv';
import { createReceiver, type AppPlatform, type FormationEntry } from '../../docs/webhook/receiver-example';
import { parsePlan, PlanError } from '../../src/plan/load-plan';
import { webhookAppControl } from '../../src/platform/webhook-app-control';
import { signWebhook } from '../../src/platform/webhook-signature';
import { LocalHttpServer, readBody } from '../support/local-http-server';

const SECRET = 'test-webhook-secret-0123456789abcdef';
const TARGET = 'postgres://app_role:s3cret-pw@ec2.example:5432/app';
const ACTIONS = ['formation', 'stop-writes', 'point-at', 'start-writes'];

// The contract read straight from the files, with a validator of the test's own (not the bot's).
const ajv = new Ajv({ allErrors: true, strict: true });
const schema = (name: string) => ajv.compile(JSON.parse(readFileSync(join(__dirname, '../../docs/webhook', `${name}.schema.json`), 'utf8')));
const contract = Object.fromEntries(ACTIONS.map((a) => [a, { request: schema(`${a}.request`), answer: schema(`${a}.answer`) }]));

/** The example receiver in front of an in-memory platform; every call and answer checked against the schemas. */
class ReceiverUnderTest extends LocalHttpServer {
  readonly calls: { action: string; body: Record<string, unknown> }[] = [];
  readonly formationNow = new Map<string, number>([['web', 4], ['worker', 2]]);
  pointed: Record<string, string> = {};
  failNext?: string;
  private readonly inner;
  private innerPort = 0;

  constructor(secret = SECRET) {
    super();
    const platform: AppPlatform = {
      formation: async (_hop, types) => types.map((type) => ({ type, quantity: this.formationNow.get(type) ?? 0 })),
      stopWrites: async (_hop, types) => types.forEach((t) => this.formationNow.set(t, 0)),
      pointAt: async (_hop, configVar, url) => void (this.pointed[configVar] = url),
      startWrites: async (_hop, formation: FormationEntry[]) => formation.forEach((f) => this.formationNow.set(f.type, f.quantity)),
    };
    this.inner = createReceiver(secret, platform);
  }

  override async start(): Promise<this> {
    await new Promise<void>((r) => this.inner.listen(0, '127.0.0.1', r));
    this.innerPort = (this.inner.address() as AddressInfo).port;
    return super.start();
  }

  override async stop(): Promise<void> {
    this.inner.closeAllConnections();
    await new Promise((r) => this.inner.close(r));
    await super.stop();
  }

  // Records and checks what passes between the bot and the example receiver.
  protected async handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const action = String(body.action);
    this.calls.push({ action, body });
    if (this.failNext === action) {
      this.failNext = undefined;
      res.writeHead(500, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ ok: false, error: 'deploy tool down' }));
    }
    const up = httpRequest({ host: '127.0.0.1', port: this.innerPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.end(raw);
  }
}

describe('the app webhook contract (docs/webhook): signed, versioned requests and checked answers', () => {
  let receiver: ReceiverUnderTest;
  beforeEach(async () => {
    receiver = await new ReceiverUnderTest().start();
  });
  afterEach(() => receiver.stop());
  const app = (secret = SECRET) => webhookAppControl({ url: `${receiver.url}/hooks/db`, secret, hop: 'heroku-to-ec2', timeoutMs: 5000 });

  test('formation, stop-writes, point-at and start-writes: each request matches its schema, each answer too, and the example receiver acts on them', async () => {
    expect(await app().formation(['web', 'worker'])).toEqual([{ type: 'web', quantity: 4 }, { type: 'worker', quantity: 2 }]);
    await app().stopWrites(['web', 'worker']);
    expect([...receiver.formationNow]).toEqual([['web', 0], ['worker', 0]]);
    expect(await app().pointAt('DATABASE_URL', TARGET)).toBe('DATABASE_URL pointed through the app webhook: DATABASE_URL set');
    expect(receiver.pointed).toEqual({ DATABASE_URL: TARGET });
    await app().startWrites([{ type: 'web', quantity: 4, size: 'standard-2x' }, { type: 'worker', quantity: 2 }]);
    expect([...receiver.formationNow]).toEqual([['web', 4], ['worker', 2]]);

    expect(receiver.calls.map((c) => c.action)).toEqual(ACTIONS);
    for (const { action, body } of receiver.calls) {
      const ok = contract[action].request(body);
      expect([action, ok ? 'valid' : contract[action].request.errors]).toEqual([action, 'valid']);
      expect(body).toMatchObject({ version: 1, hop: 'heroku-to-ec2', request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    }
    expect(new Set(receiver.calls.map((c) => c.body.request_id)).size).toBe(4);
    expect(receiver.calls[2].body).toMatchObject({ config_var: 'DATABASE_URL', database_url: TARGET });
    // What the example receiver answers is itself inside the answer schemas.
    expect(contract.formation.answer({ formation: [{ type: 'web', quantity: 4 }] })).toBe(true);
    expect(contract['point-at'].answer({ ok: true, message: 'DATABASE_URL set' })).toBe(true);
  });

  test('the point-at schema says its database_url carries a password', () => {
    const s = JSON.parse(readFileSync(join(__dirname, '../../docs/webhook/point-at.request.schema.json'), 'utf8'));
    expect(s.description).toMatch(/password/);
    expect(s.properties.database_url.description).toMatch(/SECRET.*password/);
  });

  test('a receiver that fails (HTTP 500) fails the step', async () => {
    receiver.failNext = 'stop-writes';
    await expect(app().stopWrites(['web'])).rejects.toThrow(/HTTP 500/);
  });

  test('a wrong secret is refused by the receiver (401), and the step fails', async () => {
    await expect(app('another-secret-0123456789abcdef').formation(['web'])).rejects.toThrow(/HTTP 401: .*signature does not match/);
    expect(receiver.formationNow.get('web')).toBe(4);
  });

  test('a secret missing or too short: nothing is sent', async () => {
    await expect(app('').stopWrites(['web'])).rejects.toThrow(/signing secret is missing or shorter than 16/);
    await expect(app('short').stopWrites(['web'])).rejects.toThrow(/nothing was sent/);
    expect(receiver.calls).toEqual([]);
  });

  describe('answers outside the contract are refused with the schema and the reason', () => {
    let answer: unknown;
    let fake: LocalHttpServer;
    beforeEach(async () => {
      fake = await new (class extends LocalHttpServer {
        protected handle(_req: unknown, res: import('node:http').ServerResponse) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(answer));
        }
      })().start();
    });
    afterEach(() => fake.stop());
    const to = () => webhookAppControl({ url: fake.url, secret: SECRET, hop: 'h', timeoutMs: 5000 });

    test.each([
      [{ ok: true }, /formation\.answer\.schema\.json\): \(top level\) must have required property 'formation'/],
      [{ formation: 'web=4' }, /\/formation must be array/],
      [{ formation: [{ type: 'web', quantity: -1 }] }, /\/formation\/0\/quantity must be >= 0/],
      [{ formation: [{ type: 'web', quantity: 2.5 }] }, /\/formation\/0\/quantity must be integer/],
      [{ formation: [{ quantity: 4 }] }, /\/formation\/0 must have required property 'type'/],
    ])('formation answered %j', async (body, why) => {
      answer = body;
      await expect(to().formation(['web'])).rejects.toThrow(why);
    });

    test.each([
      ['stop-writes', {}, /stop-writes\.answer\.schema\.json\): \(top level\) must have required property 'ok'/],
      ['stop-writes', { ok: false }, /\/ok must be equal to constant \(true\)/],
      ['point-at', { ok: 'yes' }, /point-at\.answer.*\/ok must be equal to constant/],
      ['start-writes', [], /start-writes\.answer.*must be object/],
      ['start-writes', { ok: true, version: 2 }, /\/version must be equal to constant \(1\)/],
    ])('%s answered %j', async (action, body, why) => {
      answer = body;
      const call = { 'stop-writes': () => to().stopWrites(['web']), 'point-at': () => to().pointAt('DATABASE_URL', TARGET), 'start-writes': () => to().startWrites([]) }[action]!;
      await expect(call()).rejects.toThrow(why);
    });
  });

  describe('the example receiver refuses what it cannot trust', () => {
    const post = (body: string, headers: Record<string, string>) =>
      new Promise<{ status: number; body: { error?: string } }>((resolve, reject) => {
        const req = httpRequest(`${receiver.url}/hooks/db`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
          let out = '';
          res.on('data', (c) => (out += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(out) }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const call = (fields: Record<string, unknown> = {}) => JSON.stringify({ version: 1, action: 'stop-writes', hop: 'h', request_id: '0b6b5c1e-7f57-4a57-9d1a-0e0c6a3f4f11', process_types: ['web'], ...fields });

    test('a signed call goes through once; the same call again is a replay (409)', async () => {
      const body = call();
      expect((await post(body, signWebhook(SECRET, body))).status).toBe(200);
      expect(await post(body, signWebhook(SECRET, body))).toMatchObject({ status: 409, body: { error: expect.stringMatching(/replay/) } });
    });

    test('a body changed after signing, no signature, or a stale timestamp: 401, and nothing done', async () => {
      const headers = signWebhook(SECRET, call());
      expect(await post(call({ process_types: ['worker'] }), headers)).toMatchObject({ status: 401, body: { error: 'signature does not match' } });
      expect(await post(call(), {})).toMatchObject({ status: 401, body: { error: 'no X-Cutover-Timestamp' } });
      const old = call();
      expect(await post(old, signWebhook(SECRET, old, Date.now() - 301_000))).toMatchObject({ status: 401, body: { error: expect.stringMatching(/tolerance/) } });
      expect(receiver.formationNow.get('web')).toBe(4);
    });

    test('an unknown contract version is refused (400)', async () => {
      const body = call({ version: 2 });
      expect(await post(body, signWebhook(SECRET, body))).toMatchObject({ status: 400, body: { error: 'unknown contract version 2' } });
    });
  });

  test('a webhook app in the plan needs its URL and secret variables; a Heroku app needs its name', () => {
    const plan = (app: string) => `name: x\nchannel: C0X\ndatabases: { a: { url_env: A }, b: { url_env: B } }\nhops: [{ id: h, method: physical, source: a, target: b, app: ${app} }]\naccess: { operators: [U0A], approvers: [U0B] }\n`;
    expect(() => parsePlan(plan('{ platform: webhook, webhook_secret_env: APP_HOOK_SECRET }'))).toThrow(/hops\[0\]\.app\.webhook_url_env: is required for the webhook platform/);
    expect(() => parsePlan(plan('{ platform: webhook, webhook_url_env: APP_HOOK }'))).toThrow(/hops\[0\]\.app\.webhook_secret_env: is required for the webhook platform/);
    expect(() => parsePlan(plan('{ platform: webhook, webhook_url_env: APP_HOOK, webhook_secret_env: "s3cret" }'))).toThrow(/webhook_secret_env: must be the NAME of an environment variable/);
    expect(() => parsePlan(plan('{ platform: heroku }'))).toThrow(PlanError);
    expect(parsePlan(plan('{ platform: webhook, webhook_url_env: APP_HOOK, webhook_secret_env: APP_HOOK_SECRET }')).hops[0].app).toMatchObject({ platform: 'webhook', webhookUrlEnv: 'APP_HOOK', webhookSecretEnv: 'APP_HOOK_SECRET' });
  });
});
