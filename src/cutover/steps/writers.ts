import { lookAtSourceWriters, type SourceWriter, writerKey, writerLine } from '../../checks/source-writers';
import { terminateSummary, terminateWriters } from '../../checks/terminate-writers';
import { waitForWriters } from '../../checks/wait-for-writers';
import { BOT_APPLICATION_NAME } from '../../db/database';
import type { Hop } from '../../plan/plan';
import { mention } from '../../views/slack-text';
import type { RunbookDeps, Step } from './step';

const MAX_LISTED = 8;

/**
 * The stray-writer fence: after the app is stopped and before the fence, no other session may still
 * write on the source (a one-off dyno, the scheduler, another app on the add-on): what it writes after
 * the fence would be lost. A session counts when its role may write, whatever it does at the instant
 * of a look (a worker sleeping between INSERTs looks idle); a BI tool whose role only reads does not. Waits up to writers_timeout_seconds for them to end; stops
 * with their list otherwise. Carries out what the team approved since: Terminate, Continue anyway.
 */
export function writersStep(hop: Hop): Step {
  const wholeCluster = writersOfWholeCluster(hop);
  return {
    id: 'writers',
    title: 'Stray writers: no other session can still write on the source',
    describe: (d) => [
      `on source: SELECT … FROM pg_stat_activity — client sessions ${wholeCluster ? 'of every database in the cluster' : 'of this database'} whose role may write there (superuser, or owns or may INSERT/UPDATE/DELETE/TRUNCATE a table of a user schema: has_table_privilege, once per role), whatever they are doing at that instant; or holding a transaction id; or hidden from the bot's role; not the bot's own (its role with application_name "${BOT_APPLICATION_NAME}…"). A session whose role may only read is not a writer`,
      `every 0.5 s for up to ${d.plan.cutover.writersTimeoutSeconds} s until none is left; otherwise stop with the list: Terminate them (approved; pg_terminate_backend by pid and backend start), Continue anyway (approved, recorded), Abort`,
    ],
    async preview(d) {
      const look = await lookAtSourceWriters(d.databases.get(hop.source.id), { wholeCluster });
      if (!look.writers.length) return ['no session other than the bot\'s can write on the source now'];
      return [`${look.writers.length} session${look.writers.length === 1 ? '' : 's'} can write on the source now (the app's own included: they end when it is stopped) and would block unless they end by then:`, ...look.writers.slice(0, MAX_LISTED).map(writerLine), ...more(look.writers.length)];
    },
    async run(d) {
      const source = d.databases.get(hop.source.id);
      const said: string[] = [];
      const decided = d.run().strayWriters;
      // An approved Terminate is carried out here, inside the claimed step: the run's state was checked atomically by the claim.
      if (decided?.terminate && !decided.terminate.outcome) {
        const outcome = await terminateWriters(source, decided.terminate.writers);
        await d.note((r) => (r.strayWriters?.terminate ? { ...r, strayWriters: { ...r.strayWriters, terminate: { ...r.strayWriters.terminate, outcome } } } : r));
        said.push(`terminated as approved by ${decided.terminate.approvedBy.map(mention).join(', ')}: ${terminateSummary(outcome)}`);
      }
      const continued = decided?.continued ?? [];
      const letThrough = letThroughOf(d);
      const wait = await waitForWriters(source, { wholeCluster, timeoutMs: d.plan.cutover.writersTimeoutSeconds * 1000, letThrough });
      if (wait.blocking.length) {
        const listedAt = Date.now();
        await d.note((r) => ({ ...r, strayWriters: { ...r.strayWriters, listedAt, writers: wait.blocking, terminate: undefined } }));
        const n = wait.blocking.length;
        throw new Error(
          `${said.map((s) => `${s}. `).join('')}${n} session${n === 1 ? '' : 's'} can still write on the source after ${Math.round(wait.tookMs / 1000)} s: ${wait.blocking.slice(0, MAX_LISTED).map((w) => `pid ${w.pid} (${w.role ?? '?'}, "${w.application}")`).join(', ')}${more(n).join('')}. ` +
            'What they write after the fence would be lost. Terminate them, Continue anyway (both need approval), or Abort.',
        );
      }
      if (wait.letThrough.length) {
        const by = continued.map((c) => `${mention(c.by)} (approved by ${c.approvedBy.map(mention).join(', ')})`).join('; ');
        await d.warn(`continued anyway past ${wait.letThrough.length} session${wait.letThrough.length === 1 ? '' : 's'} that can still write on the source, as decided by ${by}: what they wrote after the fence is not on the target — ${wait.letThrough.map(writerLine).join('; ')}`);
      }
      const ended = wait.ended.length ? `${wait.ended.length} ended while we waited (${wait.ended.map((w) => `pid ${w.pid} ${w.role ?? '?'} "${w.application}"`).join(', ')}); ` : '';
      const through = wait.letThrough.length ? `${wait.letThrough.length} let through (Continue anyway); ` : '';
      return `${said.map((s) => `${s}; `).join('')}${ended}${through}no other session can write on the source (${wait.looks} looks over ${(wait.tookMs / 1000).toFixed(1)} s)`;
    },
  };
}

// A physical hop moves the whole cluster: a writer in any of its databases loses data.
const writersOfWholeCluster = (hop: Hop) => hop.method === 'physical';

/** The sessions an approved "Continue anyway" let through on this run, by key. */
const letThroughOf = (d: Pick<RunbookDeps, 'run'>) => new Set((d.run().strayWriters?.continued ?? []).flatMap((c) => c.writers.map(writerKey)));

/**
 * One more look with the writers check, for the fence once the target showed its heartbeat: the
 * sessions that can write now and were not let through by an approved Continue anyway. A session that
 * connected after the writers step's last look would otherwise write past the fence unseen.
 */
export async function writersAfterTheCheck(hop: Hop, d: Pick<RunbookDeps, 'databases' | 'run'>): Promise<SourceWriter[]> {
  const look = await lookAtSourceWriters(d.databases.get(hop.source.id), { wholeCluster: writersOfWholeCluster(hop) });
  const letThrough = letThroughOf(d);
  return look.writers.filter((w) => !letThrough.has(writerKey(w)));
}

/** The fence's failure for writers that appeared after the writers check: each in full, up to MAX_LISTED. */
export function lateWritersFailure(writers: SourceWriter[]): string {
  const n = writers.length;
  return `${n === 1 ? 'a session' : `${n} sessions`} started writing after the writers check: ${writers.slice(0, MAX_LISTED).map(writerLine).join('; ')}${more(n).join('')} — Abort, or Resume after ${n === 1 ? 'it is' : 'they are'} stopped`;
}

function more(n: number): string[] {
  return n > MAX_LISTED ? [` …and ${n - MAX_LISTED} more`] : [];
}
