import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { eventually, freePort } from './free-port';

/** The shared Redis the tests use (REDIS_URL, default 127.0.0.1:6379). */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Fails loudly when Redis is missing: tests never skip for want of a service. */
export async function assertRedisAnswers(url = TEST_REDIS_URL): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  r.on('error', () => undefined);
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(`Redis is required for the tests and does not answer at ${url} (${(e as Error).message}). Start it (bash .ci/run does) or set REDIS_URL.`, { cause: e });
  } finally {
    r.disconnect();
  }
}

export function testRedis(url = TEST_REDIS_URL): Redis {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  return r;
}

/** A private redis-server on its own port, which a test may stop and start again (outage tests). */
export class PrivateRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'cutover-redis-'));

  private constructor(
    readonly port: number,
    /** Keep data across restarts (append-only file, fsync on every write), as a production Redis should. */
    private readonly persist: boolean,
  ) {}

  static async start(opts: { persist?: boolean } = {}): Promise<PrivateRedis> {
    const r = new PrivateRedis(await freePort(), opts.persist ?? false);
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async up(): Promise<void> {
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    const durability = this.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    this.child = spawn(bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...durability, '--dir', this.dir], { stdio: 'ignore' });
    const child = this.child;
    const failed = new Promise<never>((_, reject) => child.once('error', (e) => reject(new Error(`cannot run ${bin}: ${e.message}. Install redis-server (bash .ci/run does).`))));
    await Promise.race([failed, eventually(() => this.answers(), 10_000, `redis-server on ${this.port}`)]);
  }

  async down(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server for good and removes its folder; synchronous, so an exiting process can call it. */
  remove(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const r = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
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
