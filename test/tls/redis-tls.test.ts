import { readSettings, redisTlsOf } from '../../src/config/settings';
import { connectStateStore, redisTlsErrorInWords, stateStoreAnswers, untilReady, type StateStore } from '../../src/state/state-store';
import { makeCertificates, type TestCertificates } from '../support/tls-certs';
import { TlsRedis } from '../support/tls-redis';

let certs: TestCertificates;
let server: TlsRedis;
const stores: StateStore[] = [];

const BASE_ENV = { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_SIGNING_SECRET: 'secret', MIGRATION_PLAN: 'plan.yml' };

/** The state store as the bot opens it from its environment, and the last connection error it saw. */
function storeFrom(env: Record<string, string>): { redis: StateStore; lastError: () => Error | undefined } {
  const settings = readSettings({ ...BASE_ENV, REDIS_URL: server.url, ...env });
  const redis = connectStateStore(settings.redisUrl, { disconnectTimeout: 100 }, redisTlsOf(settings));
  stores.push(redis);
  let last: Error | undefined;
  redis.on('error', (e: Error) => (last = e));
  return { redis, lastError: () => last };
}

/** Ready within `ms` and answering PING. */
async function answers(redis: StateStore, ms: number): Promise<boolean> {
  return (await untilReady(redis, ms)) && stateStoreAnswers(redis);
}

async function waitForError(lastError: () => Error | undefined): Promise<Error> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const e = lastError();
    if (e) return e;
  }
  throw new Error('no connection error within 5 s');
}

beforeAll(async () => {
  certs = makeCertificates();
  server = await TlsRedis.start(certs);
}, 60_000);

afterAll(async () => {
  for (const r of stores) r.disconnect();
  await server?.remove();
  certs?.remove();
});

describe('Redis TLS (rediss://) against a redis-server with a self-signed certificate', () => {
  test('refused by default: the certificate is verified, and the error names the settings that fix it', async () => {
    const { redis, lastError } = storeFrom({});
    expect(await answers(redis, 1500)).toBe(false);
    expect(redisTlsErrorInWords(await waitForError(lastError))).toMatch(/not signed by a CA the bot trusts: set REDIS_CA_FILE .*REDIS_TLS_REJECT_UNAUTHORIZED=false/);
  });

  test("accepted with REDIS_TLS_REJECT_UNAUTHORIZED=false (Heroku Redis's self-signed certificate)", async () => {
    const { redis } = storeFrom({ REDIS_TLS_REJECT_UNAUTHORIZED: 'false' });
    expect(await answers(redis, 3000)).toBe(true);
  });

  test('accepted with REDIS_CA_FILE naming the CA that signed it; refused with another CA', async () => {
    expect(await answers(storeFrom({ REDIS_CA_FILE: certs.caFile }).redis, 3000)).toBe(true);
    const wrong = storeFrom({ REDIS_CA_FILE: certs.otherCaFile });
    expect(await answers(wrong.redis, 1500)).toBe(false);
    expect(redisTlsErrorInWords(await waitForError(wrong.lastError))).toMatch(/not signed by a CA the bot trusts/);
  });

  test('the settings are checked: a CA file that cannot be read, or a value other than true/false, is listed', () => {
    expect(() => readSettings({ ...BASE_ENV, REDIS_CA_FILE: '/nonexistent/ca.pem', REDIS_TLS_REJECT_UNAUTHORIZED: 'no' })).toThrow(/REDIS_TLS_REJECT_UNAUTHORIZED: must be true or false[\s\S]*REDIS_CA_FILE: must be the path of a readable CA bundle/);
  });
});
