// CPU time a PostgreSQL server spent, from /proc: on a shared, noisy machine the CPU a piece of work
// costs the server moves far less than its wall time, so ratios of it compare runs fairly.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** utime + stime of a process (fields 14, 15), and cutime + cstime of its reaped children (16, 17), in ticks. */
function ticks(pid: number, fields: number[]): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // `after` starts at field 3 (state).
  return fields.reduce((n, f) => n + Number(after[f - 3]), 0);
}

/** CPU milliseconds a live process (a backend) has used so far. */
export function processCpuMs(pid: number): number {
  return ticks(pid, [14, 15]) * TICK_MS;
}

/** CPU milliseconds used so far by the server of `dataDir`: the postmaster, its live children and those it reaped. */
export function serverCpuMs(dataDir: string): number {
  const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().split('\n').map((l) => Number(l.trim())).filter((p) => p > 0);
  let total = ticks(pid, [14, 15, 16, 17]);
  for (const child of children) {
    try {
      total += ticks(child, [14, 15]);
    } catch {
      // Exited between ps and the read: the postmaster's children totals have it now or soon.
    }
  }
  return total * TICK_MS;
}

/** The servers' CPU milliseconds spent on `work`, after their sessions have ended. */
export async function serversCpuOf(dataDirs: string[], work: () => Promise<unknown>): Promise<number> {
  const before = dataDirs.reduce((n, d) => n + serverCpuMs(d), 0);
  await work();
  // Backends exit just after their clients go; give them time to be reaped.
  await new Promise((r) => setTimeout(r, 300));
  return dataDirs.reduce((n, d) => n + serverCpuMs(d), 0) - before;
}
