import { redisAtStart } from '../../src/lifecycle/redis-at-start';
import { connectStateStore, type StateStore } from '../../src/state/state-store';
import { freePort } from '../support/free-port';
import { TEST_REDIS_URL } from '../support/redis';
import { makeCertificates, type TestCertificates } from '../support/tls-certs';
import { TlsRedis } from '../support/tls-redis';

const stores: StateStore[] = [];
const connect = (...args: Parameters<typeof connectStateStore>) => {
  const r = connectStateStore(...args);
  stores.push(r);
  return r;
};
let certs: TestCertificates | undefined;
let tlsRedis: TlsRedis | undefined;

afterAll(async () => {
  for (const r of stores) r.disconnect();
  await tlsRedis?.remove();
  certs?.remove();
});

describe('Redis at start: reachable, or why not in words', () => {
  test('reachable', async () => {
    expect(await redisAtStart(connect(TEST_REDIS_URL), 3000)).toEqual({ reachable: true });
  });

  test('nothing listening: connection refused', async () => {
    expect(await redisAtStart(connect(`redis://127.0.0.1:${await freePort()}`), 1500)).toEqual({ reachable: false, reason: 'connection refused (nothing listens at that host and port)' });
  });

  test("Heroku Redis's self-signed certificate: the reason names the settings that fix it", async () => {
    certs = makeCertificates();
    tlsRedis = await TlsRedis.start(certs);
    const state = await redisAtStart(connect(tlsRedis.url, {}, { rejectUnauthorized: true }), 2000);
    expect(state).toMatchObject({ reachable: false, reason: expect.stringMatching(/REDIS_CA_FILE .*REDIS_TLS_REJECT_UNAUTHORIZED=false/) });
    expect(await redisAtStart(connect(tlsRedis.url, {}, { rejectUnauthorized: false }), 3000)).toEqual({ reachable: true });
  }, 60_000);
});
