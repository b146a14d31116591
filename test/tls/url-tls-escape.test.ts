import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '../../src/db/database';
import type { DatabaseTls } from '../../src/plan/plan';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { makeCertificates, requireTlsOn, type TestCertificates } from '../support/tls-certs';

// A URL is read twice: by the bot (its TLS parameters, then taken out) and by node-postgres, whose
// URL reading overrides the bot's `ssl`. Any TLS parameter the bot misses reaches pg and wins.

const PASSWORD = 'escape-test-secret-pw';
const TIMEOUTS = { connectTimeoutMs: 3000, statementTimeoutMs: 5000 };

let folder: ClusterFolder;
let server: PgCluster;
let certs: TestCertificates;
const opened: Database[] = [];

const url = (host: string, query = '') => `postgres://app_user:${PASSWORD}@${host}:${server.port}/app${query}`;

function open(u: string, tls?: DatabaseTls): Database {
  const db = openDatabase({ url: u, tls }, TIMEOUTS);
  opened.push(db);
  return db;
}

async function encrypted(db: Database): Promise<boolean> {
  return (await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl;
}

async function refusal(db: Database): Promise<string> {
  const e = await db.query('SELECT 1').then(
    () => undefined,
    (err: Error) => err,
  );
  if (!e) throw new Error('the connection was expected to be refused, and it connected');
  expect(e.message).not.toContain(PASSWORD);
  return e.message;
}

beforeAll(async () => {
  folder = new ClusterFolder('cutover-tls-escape-');
  server = await PgCluster.fresh(folder, 'tls-only');
  await server.sql(`CREATE ROLE app_user LOGIN PASSWORD '${PASSWORD}'`);
  await server.sql('CREATE DATABASE app OWNER app_user');
  certs = makeCertificates(['DNS:localhost']);
  await requireTlsOn(server, certs);
}, 120_000);

afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close().catch(() => undefined)));
  delete process.env.TEST_PG_CA_BUNDLE;
});

afterAll(async () => {
  await server?.stop();
  folder?.remove();
  certs?.remove();
});

describe("a URL's percent-encoded TLS parameter never turns the plan's TLS off", () => {
  test.each([
    ['?ssl%6Dode=disable', 'sslmode=disable, its name %-encoded'],
    ['?%73slmode=disable', 'sslmode=disable, its first letter %-encoded'],
    ['?ss%6C=0', 'ssl=0, its name %-encoded'],
    ['?ss%6C=false&application_name=x', 'ssl=false among other parameters'],
  ])('plan tls.mode require with %s (%s) still connects encrypted', async (query) => {
    const db = open(url('127.0.0.1', query), { mode: 'require' });
    expect(await encrypted(db)).toBe(true);
    expect(db.transport?.()).toBe('encrypted');
  });

  test('plan verify-full with an encoded sslmode=disable still checks the certificate (a wrong CA is refused)', async () => {
    expect(await refusal(open(url('localhost', '?ssl%6Dode=disable'), { mode: 'verify-full', caFile: certs.otherCaFile }))).toMatch(/^certificate not signed by the CA in ca_file/);
  });
});

describe('verify-full and the host it checks', () => {
  test('a ?host= parameter naming an IP is the host checked: the certificate names localhost only, so it is refused', async () => {
    expect(await refusal(open(url('localhost', '?host=127.0.0.1'), { mode: 'verify-full', caFile: certs.caFile }))).toMatch(/^host name does not match the certificate \(verify-full\)/);
  });

  test('ca_env holding several certificates (a bundle, as RDS ships) verifies against any of them', async () => {
    process.env.TEST_PG_CA_BUNDLE = readFileSync(certs.otherCaFile, 'utf8') + readFileSync(certs.caFile, 'utf8');
    const db = open(url('localhost'), { mode: 'verify-full', caEnv: 'TEST_PG_CA_BUNDLE' });
    expect(await encrypted(db)).toBe(true);
    expect(db.transport?.()).toBe('encrypted and verified');
  });
});
