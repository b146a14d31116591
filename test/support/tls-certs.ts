import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, copyFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PgCluster } from './pg-cluster';

/** A CA and a server certificate it signed, made with openssl for a test: the files' paths. */
export interface TestCertificates {
  dir: string;
  /** The CA that signed the server's certificate. */
  caFile: string;
  /** Another CA, which signed nothing the server shows. */
  otherCaFile: string;
  /** The server's certificate, for 127.0.0.1 and localhost, and its key. */
  certFile: string;
  keyFile: string;
  remove(): void;
}

/** Makes a CA and a server certificate for `names` (IP or DNS), plus an unrelated CA, in a temp folder. */
export function makeCertificates(names: string[] = ['IP:127.0.0.1', 'DNS:localhost']): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'cutover-tls-'));
  const at = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  for (const ca of ['ca', 'other-ca']) {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=cutover test ${ca}`, '-keyout', at(`${ca}.key`), '-out', at(`${ca}.pem`));
  }
  writeFileSync(at('server.ext'), `subjectAltName=${names.join(',')}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=cutover test server', '-keyout', at('server.key'), '-out', at('server.csr'));
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', at('server.ext'), '-out', at('server.pem'));
  return { dir, caFile: at('ca.pem'), otherCaFile: at('other-ca.pem'), certFile: at('server.pem'), keyFile: at('server.key'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Turns on TLS in a running cluster with the certificate, and lets TCP clients in only over TLS
 * (`hostssl`-only pg_hba.conf, password auth, as Heroku does), then restarts it. Run the setup SQL before.
 */
export async function requireTlsOn(cluster: PgCluster, certs: TestCertificates): Promise<void> {
  const cert = join(cluster.dataDir, 'server.crt');
  const key = join(cluster.dataDir, 'server.key');
  copyFileSync(certs.certFile, cert);
  copyFileSync(certs.keyFile, key);
  chmodSync(key, 0o600);
  if (process.getuid?.() === 0) {
    const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres']).stdout.toString().trim());
    for (const f of [cert, key]) chownSync(f, id('-u'), id('-g'));
  }
  appendFileSync(join(cluster.dataDir, 'postgresql.conf'), "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n");
  writeFileSync(join(cluster.dataDir, 'pg_hba.conf'), 'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\nhostssl all all ::1/128 scram-sha-256\n');
  await cluster.stop();
  await cluster.start();
}
