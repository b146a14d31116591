import { readFileSync } from 'node:fs';
import { openRoleSession } from '../../src/checks/preflight/role-session';
import { openDatabase, type Database } from '../../src/db/database';
import { withConnection } from '../../src/db/short-lived-connection';
import { takeLagSample } from '../../src/checks/lag-sample';
import { parsePlan } from '../../src/plan/load-plan';
import type { DatabaseTls } from '../../src/plan/plan';
import { initialMigration } from '../../src/state/migration-state';
import { statusView } from '../../src/views/status-view';
import { lagView } from '../../src/views/lag-view';
import { openVerifyDatabase } from '../../src/verify/full/verify-database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { makeCertificates, requireTlsOn, type TestCertificates } from '../support/tls-certs';

const PASSWORD = 'heroku-shaped-secret-pw';
const TIMEOUTS = { connectTimeoutMs: 3000, statementTimeoutMs: 5000 };

let folder: ClusterFolder;
let server: PgCluster;
let certs: TestCertificates;
const opened: Database[] = [];

/** A URL as Heroku gives it: a user, a password, a host name, no sslmode. */
const url = (host = 'localhost', query = '') => `postgres://app_user:${PASSWORD}@${host}:${server.port}/app${query}`;

function open(u: string, tls?: DatabaseTls): Database {
  const db = openDatabase({ url: u, tls }, TIMEOUTS);
  opened.push(db);
  return db;
}

async function ownSessionEncrypted(db: Database): Promise<boolean> {
  return (await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl;
}

async function refusal(db: Database): Promise<string> {
  const e = await db.query('SELECT 1').then(
    () => undefined,
    (err: Error) => err,
  );
  if (!e) throw new Error('the connection was expected to be refused, and it connected');
  expect(e.message).not.toContain(PASSWORD);
  expect(e.message).not.toContain('postgres://');
  return e.message;
}

beforeAll(async () => {
  folder = new ClusterFolder('cutover-tls-pg-');
  server = await PgCluster.fresh(folder, 'tls-only');
  await server.sql(`CREATE ROLE app_user LOGIN PASSWORD '${PASSWORD}'`);
  await server.sql('CREATE DATABASE app OWNER app_user');
  // The certificate names the host "localhost" only: reached as 127.0.0.1, the host name does not match.
  certs = makeCertificates(['DNS:localhost']);
  await requireTlsOn(server, certs);
}, 120_000);

afterEach(async () => {
  await Promise.all(opened.splice(0).map((d) => d.close().catch(() => undefined)));
  delete process.env.TEST_PG_CA;
});

afterAll(async () => {
  await server?.stop();
  folder?.remove();
  certs?.remove();
});

describe('Postgres TLS, libpq meaning, against a server that takes TLS only', () => {
  test('a plain connection is refused with the words "the server requires TLS; set tls.mode"', async () => {
    expect(await refusal(open(url(), { mode: 'disable' }))).toMatch(/^the server requires TLS; set tls\.mode/);
    expect(await refusal(open(url('localhost', '?sslmode=disable')))).toMatch(/^the server requires TLS; set tls\.mode/);
  });

  test('a Heroku-shaped URL with no sslmode connects, encrypted, with the default (prefer)', async () => {
    const db = open(url());
    expect(await ownSessionEncrypted(db)).toBe(true);
    expect(db.transport?.()).toBe('encrypted');
  });

  test('require encrypts without verifying: the self-signed chain is accepted, from the plan or from the URL', async () => {
    const fromPlan = open(url('127.0.0.1'), { mode: 'require' });
    expect(await ownSessionEncrypted(fromPlan)).toBe(true);
    expect(fromPlan.transport?.()).toBe('encrypted');
    // node-postgres alone reads sslmode=require as verify-full and refuses this certificate.
    const fromUrl = open(url('127.0.0.1', '?sslmode=require&application_name=x'));
    expect(await ownSessionEncrypted(fromUrl)).toBe(true);
  });

  test('verify-full with the right CA connects and says it is verified; from ca_file, ca_env or the URL', async () => {
    const byFile = open(url(), { mode: 'verify-full', caFile: certs.caFile });
    expect(await ownSessionEncrypted(byFile)).toBe(true);
    expect(byFile.transport?.()).toBe('encrypted and verified');
    process.env.TEST_PG_CA = readFileSync(certs.caFile, 'utf8');
    expect(await ownSessionEncrypted(open(url(), { mode: 'verify-full', caEnv: 'TEST_PG_CA' }))).toBe(true);
    expect(await ownSessionEncrypted(open(url('localhost', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(certs.caFile)}`)))).toBe(true);
  });

  test('verify-full with a wrong CA fails: "certificate not signed by the CA in ca_file"', async () => {
    expect(await refusal(open(url(), { mode: 'verify-full', caFile: certs.otherCaFile }))).toBe(`certificate not signed by the CA in ca_file ${certs.otherCaFile} (verify-full)`);
    expect(await refusal(open(url(), { mode: 'verify-full' }))).toMatch(/^certificate not signed by a CA this system trusts/);
  });

  test('verify-full with a host name the certificate does not name fails; verify-ca checks the chain only and connects', async () => {
    expect(await refusal(open(url('127.0.0.1'), { mode: 'verify-full', caFile: certs.caFile }))).toMatch(/^host name does not match the certificate \(verify-full\)/);
    const chainOnly = open(url('127.0.0.1'), { mode: 'verify-ca', caFile: certs.caFile });
    expect(await ownSessionEncrypted(chainOnly)).toBe(true);
    expect(chainOnly.transport?.()).toBe('encrypted, CA verified');
    expect(await refusal(open(url('127.0.0.1'), { mode: 'verify-ca', caFile: certs.otherCaFile }))).toMatch(/^certificate not signed by the CA in ca_file/);
  });

  test('the plan never lets a URL weaken it: tls.mode verify-full with ?sslmode=require still checks the certificate', async () => {
    expect(await refusal(open(url('localhost', '?sslmode=require'), { mode: 'verify-full', caFile: certs.otherCaFile }))).toMatch(/^certificate not signed by the CA/);
  });

  test("every other way the bot connects takes the same TLS: the preflight's session, a short-lived connection, the full verify", async () => {
    const tls: DatabaseTls = { mode: 'verify-full', caFile: certs.caFile };
    const session = await openRoleSession({ url: url(), tls }, TIMEOUTS);
    expect(session.transport).toBe('encrypted and verified');
    expect((await session.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl).toBe(true);
    await session.close();
    await expect(openRoleSession({ url: url(), tls: { mode: 'disable' } }, TIMEOUTS)).rejects.toThrow(/^the server requires TLS; set tls\.mode/);

    const viaShort = await withConnection({ url: url('127.0.0.1'), tls: { mode: 'require' } }, TIMEOUTS, 'test', async (db) => (await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl);
    expect(viaShort).toBe(true);
    await expect(withConnection({ url: url('127.0.0.1'), tls: { mode: 'verify-full', caFile: certs.caFile } }, TIMEOUTS, 'test', async () => 1)).rejects.toThrow(/^host name does not match/);

    const verify = openVerifyDatabase({ url: url(), tls }, { ...TIMEOUTS, connections: 1 });
    try {
      expect((await verify.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl).toBe(true);
    } finally {
      await verify.close();
    }
  });
});

describe('Postgres TLS against a server with TLS off', () => {
  let plainFolder: ClusterFolder;
  let plain: PgCluster;
  beforeAll(async () => {
    plainFolder = new ClusterFolder('cutover-tls-plain-');
    plain = await PgCluster.fresh(plainFolder, 'plain');
  }, 120_000);
  afterAll(async () => {
    await plain?.stop();
    plainFolder?.remove();
  });

  test('the default (prefer) falls back to a plain connection and says so', async () => {
    const db = open(plain.url());
    expect(await ownSessionEncrypted(db)).toBe(false);
    expect(db.transport?.()).toBe('plain');
  });

  test('require is refused in words: "the server does not support TLS (tls.mode require)"', async () => {
    expect(await refusal(open(plain.url(), { mode: 'require' }))).toBe('the server does not support TLS (tls.mode require)');
    expect(await refusal(open(`${plain.url()}?sslmode=verify-full`))).toBe('the server does not support TLS (tls.mode verify-full)');
  });
});

describe('lag and status say how the bot reaches each database', () => {
  let plainFolder: ClusterFolder;
  let plain: PgCluster;
  beforeAll(async () => {
    plainFolder = new ClusterFolder('cutover-tls-lag-');
    plain = await PgCluster.fresh(plainFolder, 'plain-target');
  }, 120_000);
  afterAll(async () => {
    await plain?.stop();
    plainFolder?.remove();
  });

  test('a sample records encrypted and verified for the TLS source and plain for the target, and /migrate lag shows it', async () => {
    const plan = parsePlan(`
name: demo
channel: C0CHAN
databases:
  heroku: { url_env: SRC_URL, tls: { mode: verify-full, ca_file: ${certs.caFile} } }
  ec2: { url_env: TGT_URL }
hops:
  - { id: one, method: logical, source: heroku, target: ec2, subscription: s }
access: { operators: [U0OPS], approvers: [U0APP] }
`);
    const hop = plan.hops[0];
    const source = hop.source;
    const sample = await takeLagSample({ hop, source: open(url(), source.tls), target: open(plain.url()), heartbeat: { schema: 'public', table: 'cutover_heartbeat' } });
    expect([sample.source.ok, sample.sourceTransport, sample.targetTransport]).toEqual([true, 'encrypted and verified', 'plain']);
    const text = JSON.stringify(lagView(hop, sample, [], [], 'no chart').blocks);
    expect(text).toContain('*Connections:* source heroku encrypted and verified · target ec2 :warning: plain (not encrypted)');
    const status = statusView({ plan, migration: initialMigration(plan), lock: undefined, pending: [], lag: { sample, checks: [] }, alerts: [], now: Date.now() });
    expect(JSON.stringify(status.blocks)).toContain('*Connections:* source heroku encrypted and verified · target ec2 :warning: plain (not encrypted)');
  });
});
