import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from './free-port';

const run = promisify(execFile);

/** Where the PostgreSQL server binaries are: PG_BIN, else the newest /usr/lib/postgresql/N/bin (Debian), else `initdb` on PATH. */
export function pgBinDir(): string {
  if (process.env.PG_BIN) {
    if (existsSync(join(process.env.PG_BIN, 'initdb'))) return process.env.PG_BIN;
    throw new Error(`PG_BIN=${process.env.PG_BIN} holds no initdb: point it at the folder with the PostgreSQL server binaries.`);
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length) return join(root, versions[0], 'bin');
  const onPath = (process.env.PATH ?? '').split(':').find((d) => d && existsSync(join(d, 'initdb')));
  if (onPath) return onPath;
  throw new Error('PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) not found: install the postgresql package (Debian/Ubuntu: apt-get install postgresql; bash .ci/run does) or set PG_BIN to the folder that holds initdb.');
}

const asRoot = process.getuid?.() === 0;
let postgresUid: { uid: number; gid: number } | undefined;
function postgresUser(): { uid: number; gid: number } {
  if (!postgresUid) {
    const uid = Number(spawnSync('id', ['-u', 'postgres']).stdout.toString().trim());
    const gid = Number(spawnSync('id', ['-g', 'postgres']).stdout.toString().trim());
    if (!uid) throw new Error('running as root, the tests need the "postgres" system user to run the server binaries (install postgresql)');
    postgresUid = { uid, gid };
  }
  return postgresUid;
}

/** Runs a server binary, as the postgres user when we are root (the server refuses to run as root). */
async function pgBin(name: string, args: string[]): Promise<string> {
  const bin = join(pgBinDir(), name);
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  try {
    const { stdout } = await run(cmd, argv, { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${err.stderr || err.message}`, { cause: e });
  }
}

function ownedDir(path: string): string {
  mkdirSync(path, { recursive: true });
  if (asRoot) chownSync(path, postgresUser().uid, postgresUser().gid);
  return path;
}

/** A scratch folder for a set of clusters: data directories, the WAL archive, logs. */
export class ClusterFolder {
  readonly root: string;
  readonly archive: string;

  constructor(prefix = 'cutover-pg-') {
    this.root = ownedDir(mkdtempSync(join(tmpdir(), prefix)));
    this.archive = ownedDir(join(this.root, 'archive'));
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** One PostgreSQL server in a temp folder, on a free port, reached as superuser "postgres". */
export class PgCluster {
  private constructor(
    readonly name: string,
    readonly dataDir: string,
    readonly port: number,
    private readonly folder: ClusterFolder,
  ) {}

  /**
   * A new primary with WAL archiving into the folder's archive (1 MB segments keep it small). A
   * segment is archived at least every `archiveTimeoutSeconds` while there are writes.
   */
  static async primary(folder: ClusterFolder, name = 'primary', archiveTimeoutSeconds = 1): Promise<PgCluster> {
    const dataDir = join(folder.root, name);
    await pgBin('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--wal-segsize=1', '--no-instructions']);
    const c = new PgCluster(name, dataDir, await freePort(), folder);
    c.configure([
      'wal_level = logical',
      'max_wal_senders = 10',
      'max_replication_slots = 10',
      'archive_mode = on',
      `archive_command = 'test ! -f ${folder.archive}/%f && cp %p ${folder.archive}/%f'`,
      `archive_timeout = ${archiveTimeoutSeconds}`,
      'wal_keep_size = 64MB',
      'hot_standby = on',
    ]);
    await c.start();
    return c;
  }

  /** A standby of `primary` that streams WAL from it (pg_basebackup -R). */
  static async streamingStandby(primary: PgCluster, name = 'standby'): Promise<PgCluster> {
    const dataDir = join(primary.folder.root, name);
    await pgBin('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    const c = new PgCluster(name, dataDir, await freePort(), primary.folder);
    c.configure(['archive_mode = off']);
    await c.start();
    return c;
  }

  /**
   * A standby with no connection to the primary: it replays whole WAL files from the archive (as
   * wal-g does). With `archiveTo`, it archives its own WAL there once promoted. `restoreDelaySeconds`
   * makes every restore_command call that slow (a far-away archive): promotion then takes seconds.
   */
  static async archiveStandby(primary: PgCluster, name = 'archive-standby', archiveTo?: string, opts: { restoreDelaySeconds?: number } = {}): Promise<PgCluster> {
    const dataDir = join(primary.folder.root, name);
    await pgBin('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-X', 'stream', '-c', 'fast']);
    writeFileSync(join(dataDir, 'standby.signal'), '');
    if (asRoot) chownSync(join(dataDir, 'standby.signal'), postgresUser().uid, postgresUser().gid);
    const c = new PgCluster(name, dataDir, await freePort(), primary.folder);
    const archiving = archiveTo ? ['archive_mode = on', `archive_command = 'test ! -f ${ownedDir(archiveTo)}/%f && cp %p ${archiveTo}/%f'`] : ['archive_mode = off'];
    c.configure([...archiving, `restore_command = '${opts.restoreDelaySeconds ? `sleep ${opts.restoreDelaySeconds}; ` : ''}cp ${primary.folder.archive}/%f %p'`, "primary_conninfo = ''", 'wal_retrieve_retry_interval = 200ms']);
    await c.start();
    return c;
  }

  /** A fresh, independent server (e.g. a logical subscriber or a DMS target). */
  static async fresh(folder: ClusterFolder, name: string): Promise<PgCluster> {
    const dataDir = join(folder.root, name);
    await pgBin('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
    const c = new PgCluster(name, dataDir, await freePort(), folder);
    c.configure(['wal_level = logical', 'max_replication_slots = 10', 'max_wal_senders = 10']);
    await c.start();
    return c;
  }

  private configure(lines: string[]): void {
    appendFileSync(
      join(this.dataDir, 'postgresql.conf'),
      ['', `port = ${this.port}`, "listen_addresses = '127.0.0.1'", `unix_socket_directories = '${this.folder.root}'`, 'fsync = off', 'synchronous_commit = off', 'full_page_writes = off', 'shared_buffers = 16MB', 'max_connections = 40', ...lines, ''].join('\n'),
    );
  }

  async start(): Promise<void> {
    await pgBin('pg_ctl', ['-D', this.dataDir, '-l', join(this.folder.root, `${this.name}.log`), '-w', '-t', '60', 'start']);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await pgBin('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']).catch(() => undefined);
  }

  /** Stops the server at once, synchronously (for a process that is exiting). */
  stopNow(): void {
    const bin = join(pgBinDir(), 'pg_ctl');
    const args = ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop'];
    if (asRoot) spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'ignore' });
    else spawnSync(bin, args, { stdio: 'ignore' });
  }

  url(db = 'postgres', user = 'postgres', password?: string): string {
    return `postgres://${user}${password ? `:${password}` : ''}@127.0.0.1:${this.port}/${db}`;
  }

  /** Runs SQL as the superuser and returns the rows. */
  async sql<T = Record<string, unknown>>(text: string, params: unknown[] = [], db = 'postgres'): Promise<T[]> {
    const client = new Client({ connectionString: this.url(db) });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
}

/** A plain login role with no pg_monitor and no superuser, like the one Heroku grants; owns database `app`. */
export async function createPlainRole(primary: PgCluster, role = 'cutover', password = 'cutover-pw'): Promise<string> {
  await primary.sql(`CREATE ROLE ${role} LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
  await primary.sql(`CREATE DATABASE app OWNER ${role}`);
  return primary.url('app', role, password);
}
