import { spawnSync } from 'node:child_process';
import { pgBinDir } from '../test/support/pg-cluster';

/**
 * What the rehearsal needs from the machine: Node 20+, redis-server, the PostgreSQL server binaries
 * (and, as root, the postgres user to run them). Returns one line per missing thing, saying what to install.
 */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) missing.push(`Node.js 20 or newer (this is ${process.version}): https://nodejs.org, or apt-get install nodejs from a current source`);
  const redis = spawnSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version']);
  if (redis.error || redis.status !== 0) missing.push('redis-server: apt-get install redis-server (Debian/Ubuntu), brew install redis (macOS), or set REDIS_SERVER_BIN');
  try {
    pgBinDir();
  } catch {
    missing.push('the PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup): apt-get install postgresql (Debian/Ubuntu), brew install postgresql@16 (macOS), or set PG_BIN to the folder that holds initdb');
  }
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    missing.push('the "postgres" system user (running as root, the servers run as postgres): apt-get install postgresql creates it');
  }
  return missing;
}
