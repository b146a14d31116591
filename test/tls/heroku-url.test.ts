import { openDatabase, type Database } from '../../src/db/database';
import { ClusterFolder, PgCluster } from '../support/pg-cluster';
import { makeCertificates, requireTlsOn, type TestCertificates } from '../support/tls-certs';

// The first wall: Heroku Postgres takes TLS only, with a certificate no public CA signed, and
// its DATABASE_URL carries no sslmode. As given, and with ?sslmode=require, the bot must connect.
const PASSWORD = 'heroku-pw-0123456789';
let folder: ClusterFolder;
let server: PgCluster;
let certs: TestCertificates;
const opened: Database[] = [];

const herokuUrl = (query = '') => `postgres://app_user:${PASSWORD}@localhost:${server.port}/app${query}`;
const encrypted = async (db: Database) => (await db.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).rows[0].ssl;

beforeAll(async () => {
  folder = new ClusterFolder('cutover-tls-heroku-');
  server = await PgCluster.fresh(folder, 'heroku-like');
  await server.sql(`CREATE ROLE app_user LOGIN PASSWORD '${PASSWORD}'`);
  await server.sql('CREATE DATABASE app OWNER app_user');
  certs = makeCertificates();
  await requireTlsOn(server, certs);
}, 120_000);

afterAll(async () => {
  await Promise.all(opened.map((d) => d.close().catch(() => undefined)));
  await server?.stop();
  folder?.remove();
  certs?.remove();
});

test('a Heroku DATABASE_URL as Heroku gives it (no sslmode) connects over TLS', async () => {
  const db = openDatabase(herokuUrl());
  opened.push(db);
  expect(await encrypted(db)).toBe(true);
});

test("a Heroku URL with ?sslmode=require connects without verifying the certificate, as psql does", async () => {
  const db = openDatabase(herokuUrl('?sslmode=require'));
  opened.push(db);
  expect(await encrypted(db)).toBe(true);
});
