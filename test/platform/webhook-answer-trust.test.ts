import type { IncomingMessage, ServerResponse } from 'node:http';
import { plainWebhookUrl, webhookAppControl } from '../../src/platform/webhook-app-control';
import { LocalHttpServer, readBody } from '../support/local-http-server';

const SECRET = 'test-webhook-secret-0123456789abcdef';
const TARGET = 'postgres://app_role:s3cret-pw@ec2.example:5432/app';

/** A receiver that answers what the test sets, and records every body it was sent. */
class Receiver extends LocalHttpServer {
  readonly bodies: string[] = [];
  status = 200;
  headers: Record<string, string> = { 'Content-Type': 'application/json' };
  answer: unknown = { ok: true };
  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.bodies.push((await readBody(req)).toString('utf8'));
    res.writeHead(this.status, this.headers);
    res.end(JSON.stringify(this.answer));
  }
}

let hook: Receiver;
let elsewhere: Receiver;
beforeEach(async () => {
  hook = await new Receiver().start();
  elsewhere = await new Receiver().start();
});
afterEach(async () => {
  await hook.stop();
  await elsewhere.stop();
});
const app = () => webhookAppControl({ url: `${hook.url}/hooks/db`, secret: SECRET, hop: 'h', timeoutMs: 5000 });

describe("a formation answer is the formation of the types asked for, or the step fails before anything stops", () => {
  // stop-writes saves this answer and scales the asked types to 0; start-writes restores only what was saved.
  test.each([
    [[], /names no web, worker/],
    [[{ type: 'web', quantity: 4 }], /names no worker/],
    [[{ type: 'web', quantity: 4 }, { type: 'worker', quantity: 2 }, { type: 'web', quantity: 0 }], /names web twice/],
    [[{ type: 'web', quantity: 4 }, { type: 'worker', quantity: 2 }, { type: 'clock', quantity: 1 }], /names clock, which was not asked for/],
  ])('formation of web and worker answered %j is refused', async (formation, why) => {
    hook.answer = { formation };
    await expect(app().formation(['web', 'worker'])).rejects.toThrow(why);
  });

  test('the whole formation, in any order, is taken', async () => {
    hook.answer = { formation: [{ type: 'worker', quantity: 2 }, { type: 'web', quantity: 4, size: 'm' }] };
    expect(await app().formation(['web', 'worker'])).toEqual([{ type: 'worker', quantity: 2, size: undefined }, { type: 'web', quantity: 4, size: 'm' }]);
  });
});

describe('a redirect from the webhook is not followed: the signed body (a database password in point-at) goes only to the configured URL', () => {
  test.each([307, 308])('HTTP %i to another server: refused, and the other server was sent nothing', async (status) => {
    hook.status = status;
    hook.headers = { Location: `${elsewhere.url}/steal` };
    await expect(app().pointAt('DATABASE_URL', TARGET)).rejects.toThrow(new RegExp(`HTTP ${status}`));
    expect(hook.bodies).toHaveLength(1);
    expect(elsewhere.bodies).toEqual([]);
  });
});

describe('the webhook URL must be https, except to this machine (point-at carries a password)', () => {
  test.each([
    ['https://deploy.example/cutover', undefined],
    ['http://127.0.0.1:8080/hooks', undefined],
    ['http://localhost/hooks', undefined],
    ['http://deploy.example/cutover', /must be https .* not http to deploy\.example/],
    ['ftp://deploy.example/x', /must be https/],
    ['not a url', /not a URL/],
  ])('%s', (url, expected) => {
    const why = plainWebhookUrl(url);
    if (expected === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(expected);
  });

  test('a plain http webhook elsewhere is refused before anything is sent', async () => {
    const control = webhookAppControl({ url: 'http://deploy.example:1/hooks', secret: 'a-secret-of-enough-length', hop: 'h', timeoutMs: 1000 });
    await expect(control.formation(['web'])).rejects.toThrow(/must be https .*nothing was sent/);
  });
});
