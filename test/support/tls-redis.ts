import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { eventually, freePort } from './free-port';
import type { TestCertificates } from './tls-certs';

/** A private redis-server that speaks TLS only (--port 0), with the test certificate, as Heroku Redis does. */
export class TlsRedis {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(certs: TestCertificates): Promise<TlsRedis> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'cutover-tls-redis-'));
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    const args = ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile, '--tls-ca-cert-file', certs.caFile, '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no', '--dir', dir];
    const child = spawn(bin, args, { stdio: 'ignore' });
    const r = new TlsRedis(port, child, dir);
    const failed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`cannot run ${bin}: ${e.message}`))));
    await Promise.race([failed, eventually(() => r.answers(), 10_000, `redis-server with TLS on ${port}`)]);
    return r;
  }

  get url(): string {
    return `rediss://127.0.0.1:${this.port}`;
  }

  async remove(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      this.child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, tls: { rejectUnauthorized: false } });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }
}
