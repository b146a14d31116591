import fc from 'fast-check';
import { cutoverCommand } from '../../src/commands/cutover';
import { dmsCommand } from '../../src/commands/dms';
import type { CutoverRun } from '../../src/cutover/cutover-run';
import { requestRollBack } from '../../src/cutover/roll-back-request';
import { liftHold, placeHold } from '../../src/migration/hold';
import { forceReleaseLock } from '../../src/state/migration-lock';
import type { RunButton } from '../../src/views/run-button';
import { ModelWorld, URLS, type PortEvent } from './model-world';

const OPERATORS = ['U0OPS1', 'U0OPS2'];
const APPROVERS = ['U0APP1', 'U0APP2', 'U0APP3', 'U0APP1', 'U0APP2', 'U0APP3', 'U0OPS1'];
/** Stands for whoever holds the lock when the event happens (most commands and clicks come from them). */
const HOLDER = 'holder';

/** One thing that happens in a history: a person's command or click, an outside call returning, a process failing, time passing. */
export type HistoryEvent =
  | { t: 'lock'; p: number; user: string }
  | { t: 'unlock'; p: number; user: string }
  | { t: 'force-unlock' }
  | { t: 'hold' }
  | { t: 'unhold' }
  | { t: 'gates'; bad: boolean }
  | { t: 'request-cutover'; p: number; user: string; hop: number }
  | { t: 'request-reload'; p: number; user: string }
  | { t: 'vote'; p: number; user: string; req: number; approve: boolean }
  | { t: 'abort'; p: number; user: string; button: number }
  | { t: 'resume'; p: number; user: string; button: number }
  | { t: 'roll-back'; p: number; user: string; button: number }
  | { t: 'release'; k: number; ok: boolean }
  | { t: 'flush' }
  | { t: 'stall'; hop: number }
  | { t: 'crash'; p: number }
  | { t: 'recover'; p: number }
  | { t: 'clock'; minutes: number }
  | { t: 'expire' }
  | { t: 'burst'; events: HistoryEvent[] };

const p = fc.integer({ min: 0, max: 1 });
const operator = fc.constantFrom(...OPERATORS);
const person = fc.oneof({ weight: 3, arbitrary: fc.constant(HOLDER) }, { weight: 1, arbitrary: operator });
const index = fc.nat(20);

/** Events that may run at the same moment as others (clicks, calls returning, executors losing their lease). */
const concurrent: fc.Arbitrary<HistoryEvent> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('vote' as const), p, user: fc.constantFrom(...APPROVERS), req: index, approve: fc.integer({ min: 0, max: 4 }).map((n) => n > 0) }) },
  { weight: 6, arbitrary: fc.record({ t: fc.constant('release' as const), k: index, ok: fc.integer({ min: 0, max: 6 }).map((n) => n > 0) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('abort' as const), p, user: person, button: index }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('resume' as const), p, user: person, button: index }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('roll-back' as const), p, user: person, button: index }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('recover' as const), p }) },
);

/** Two teammates approve the same request at the same moment, on the two processes. */
const twoApprovals: fc.Arbitrary<HistoryEvent> = fc.record({ req: index, first: fc.constantFrom('U0APP1', 'U0APP2'), second: fc.constantFrom('U0APP3', 'U0APP2') }).map(({ req, first, second }) => ({
  t: 'burst' as const,
  events: [
    { t: 'vote' as const, p: 0, user: first, req, approve: true },
    { t: 'vote' as const, p: 1, user: first === second ? 'U0APP1' : second, req, approve: true },
  ],
}));

const event: fc.Arbitrary<HistoryEvent> = fc.oneof(
  { weight: 12, arbitrary: concurrent },
  { weight: 4, arbitrary: twoApprovals },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('request-cutover' as const), p, user: person, hop: fc.integer({ min: 0, max: 2 }).map((n) => Math.min(n, 1)) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('request-reload' as const), p, user: person }) },
  { weight: 3, arbitrary: fc.constant({ t: 'flush' as const }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('lock' as const), p, user: operator }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('unlock' as const), p, user: operator }) },
  { weight: 1, arbitrary: fc.constant({ t: 'force-unlock' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'hold' as const }) },
  { weight: 1, arbitrary: fc.constant({ t: 'unhold' as const }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('gates' as const), bad: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('crash' as const), p }) },
  // An executor's lease lost (a Redis blip, a paused process): alone, so the ports' view of the lease is exact.
  { weight: 2, arbitrary: fc.record({ t: fc.constant('stall' as const), hop: fc.integer({ min: 0, max: 1 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('clock' as const), minutes: fc.constantFrom(1, 1, 5, 5, 20, 31, 120) }) },
  { weight: 1, arbitrary: fc.constant({ t: 'expire' as const }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('burst' as const), events: fc.array(concurrent, { minLength: 2, maxLength: 4 }) }) },
);

/** Most histories begin with a cutover of the first hop approved and under way; then anything happens. */
const prelude: HistoryEvent[] = [
  { t: 'request-cutover', p: 0, user: 'U0OPS1', hop: 0 },
  { t: 'burst', events: [{ t: 'vote', p: 0, user: 'U0APP1', req: 0, approve: true }, { t: 'vote', p: 1, user: 'U0APP2', req: 0, approve: true }] },
];

/** A history: the team takes the lock, then anything happens. */
export const historyArbitrary: fc.Arbitrary<HistoryEvent[]> = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.array(event, { minLength: 20, maxLength: 60 }))
  .map(([start, events]) => [{ t: 'lock', p: 0, user: 'U0OPS1' } as HistoryEvent, ...(start > 0 ? prelude : []), ...events]);

/** Plays a history against the real lock, approvals, state machine and runner; returns every invariant it broke. */
export async function playHistory(world: ModelWorld, history: HistoryEvent[]): Promise<string[]> {
  const violations: string[] = [];
  const buttons: RunButton[] = [];
  const flags = new Map<PortEvent, { hold: boolean; gatesBad: boolean }>();
  const unexpected = (what: string) => (e: unknown) => {
    const err = e as Error;
    if (['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError'].includes(err?.name)) violations.push(`${what} threw ${err.name}: ${err.message}`);
  };
  const noteButtons = async () => {
    const m = await world.migration.read();
    for (const hop of world.plan.hops) {
      const run = await world.runs.get(hop.id);
      if (run && !buttons.some((b) => b.run === run.id && b.epoch === m.epoch)) buttons.push({ hop: hop.id, run: run.id, epoch: m.epoch });
    }
  };
  const seen = world.events.length;
  const markNewEvents = (from: number) => {
    for (const e of world.events.slice(from)) if (!flags.has(e)) flags.set(e, { hold: world.holdOn, gatesBad: world.gatesBad });
  };

  const act = async (given: HistoryEvent, alone: boolean): Promise<void> => {
    const ev = 'user' in given && given.user === HOLDER ? { ...given, user: (await world.processes[0].lock.read())?.holder ?? OPERATORS[0] } : given;
    const proc = 'p' in ev ? world.processes[ev.p] : world.processes[0];
    const c = proc.cutover;
    const now = world.now();
    const inv = (user: string, args: string[]) => ({ user, channel: 'C0DBMIGRATE', args, rest: args.join(' '), now });
    switch (ev.t) {
      case 'lock':
        await proc.lock.acquire(ev.user, 'model');
        return;
      case 'unlock': {
        const held = await proc.lock.read();
        if (held?.holder === ev.user) await proc.lock.release(held.token);
        return;
      }
      case 'force-unlock':
        await forceReleaseLock(world.redis, world.keys);
        return;
      case 'hold':
        await world.migration.update((m) => placeHold(m, 'model hold', 'U0OPS2', now));
        world.holdOn = true;
        return;
      case 'unhold':
        world.holdOn = false;
        await world.migration.update((m) => liftHold(m));
        return;
      case 'gates':
        world.gatesBad = ev.bad;
        return;
      case 'clock':
        world.clockOffset += ev.minutes * 60_000;
        return;
      case 'expire':
        await proc.approvals.expireDue(now);
        return;
      case 'request-cutover':
        await cutoverCommand.run(inv(ev.user, [world.plan.hops[ev.hop].id]), c);
        return;
      case 'request-reload':
        await dmsCommand.run(inv(ev.user, [world.plan.hops[1].id, 'start', '--reload-target']), c);
        return;
      case 'vote': {
        const pending = await world.pendingRequests();
        if (!pending.length) return;
        const req = pending[ev.req % pending.length];
        const epochBefore = (await world.migration.read()).epoch;
        const { running } = await proc.approvals.vote(req.id, ev.user, ev.approve ? 'approve' : 'reject', now);
        running?.catch(unexpected(`the approved ${req.kind}`));
        if (running && alone && typeof req.params.epoch === 'number' && req.params.epoch !== epochBefore) {
          await world.settle();
          const ran = (await world.approvalStore.get(req.id))?.run;
          if (ran?.status !== 'failed') violations.push(`a ${req.kind} request made at epoch ${req.params.epoch} ran at epoch ${epochBefore}: ${ran?.status} ${ran?.result ?? ''}`);
        }
        return;
      }
      case 'abort':
      case 'resume': {
        if (!buttons.length) return;
        const b = buttons[ev.button % buttons.length];
        const before = await world.runs.get(b.hop);
        const stale = before?.id !== b.run;
        // An abort may roll back at once, waiting on the platform: it runs on as an actor of its own.
        let reply = '(still running)';
        const click = (ev.t === 'abort' ? proc.runner.abort(b.hop, ev.user, b.run) : proc.runner.resume(b.hop, ev.user, { runId: b.run, now })).then((r) => (reply = r));
        click.catch(unexpected(ev.t));
        if (alone && stale) {
          await world.settle();
          const after = await world.runs.get(b.hop);
          if (JSON.stringify(pick(after)) !== JSON.stringify(pick(before))) violations.push(`a stale ${ev.t} button (run ${b.run}) changed run ${before?.id}: "${reply}"`);
        }
        return;
      }
      case 'roll-back': {
        if (!buttons.length) return;
        const b = buttons[ev.button % buttons.length];
        const run = await world.runs.get(b.hop);
        const before = (await world.pendingRequests()).filter((r) => r.kind === 'cutover.rollback').length;
        await requestRollBack({ plan: world.plan, migration: world.migration, approvals: proc.approvals }, b, ev.user, now).catch((e: Error) => {
          if (e.name !== 'ApprovalConflict') throw e;
        });
        if (alone && (run?.id !== b.run || run.status !== 'done')) {
          const after = (await world.pendingRequests()).filter((r) => r.kind === 'cutover.rollback').length;
          if (after > before) violations.push(`a Roll back button for run ${b.run} (now ${run?.id} ${run?.status}) made a request`);
        }
        return;
      }
      case 'release':
        world.release(ev.k, ev.ok);
        return;
      case 'flush':
        // Every outside call returns, one after another, until the runs wait on nothing (or 30 have).
        for (let i = 0; i < 30 && world.pending.length; i++) {
          world.release(0, true);
          await world.settle();
        }
        return;
      case 'stall':
        await world.redis.del(world.keys.cutoverLease(world.plan.hops[ev.hop].id));
        return;
      case 'crash':
        await world.crash(ev.p);
        return;
      case 'recover':
        await proc.runner.recoverInterrupted(now);
        return;
      case 'burst':
        await Promise.all(ev.events.map((e) => act(e, false).catch(unexpected(e.t))));
        return;
    }
  };

  for (const ev of history) {
    const from = world.events.length;
    await act(ev, ev.t !== 'burst').catch(unexpected(ev.t));
    markNewEvents(from);
    await world.settle();
    markNewEvents(from);
    await noteButtons();
  }
  // The end of the day: every outside call returns, and what is left settles.
  for (let i = 0; i < 200 && world.pending.length; i++) {
    const from = world.events.length;
    world.release(0, true);
    await world.settle();
    markNewEvents(from);
  }
  await world.settle();
  violations.push(...checkPortLog(world, world.events.slice(seen), flags));
  violations.push(...(await checkFinalState(world)));
  return violations;
}

function pick(run: CutoverRun | undefined) {
  return run && { id: run.id, status: run.status, fence: run.fence, abortRequested: run.abortRequested, steps: Object.fromEntries(Object.entries(run.steps).map(([k, v]) => [k, [v.status, v.attempts]])) };
}

/** The invariants that the recording ports can judge from the order of the calls they saw. */
function checkPortLog(world: ModelWorld, events: PortEvent[], flags: Map<PortEvent, { hold: boolean; gatesBad: boolean }>): string[] {
  const out: string[] = [];
  const plan = world.plan;
  const highestFence = new Map<string, number>();
  const starts = new Map<string, number>();
  const firstOfAttempt = new Set<string>();
  const reloading = new Map<string, PortEvent>();
  for (const e of events) {
    const hop = plan.hops.find((h) => h.id === e.hop)!;
    const m = e.migration;
    const f = flags.get(e);
    if (e.kind === 'dms-reload') {
      const status = m?.hops[e.hop]?.status;
      if (status !== 'pending' && status !== 'streaming') out.push(`a destructive DMS action on ${e.hop} ran while the hop was ${status}`);
      if (!m?.hops[e.hop]?.dmsClaim) out.push(`a destructive DMS action on ${e.hop} ran without claiming the hop`);
      reloading.set(e.hop, e);
    }
    if (e.kind === 'step' || e.kind === 'undo') {
      // The executor acts only while it holds the hop's lease and, for a step, while the lock carries its fence.
      if (e.lease !== `${e.process}/${e.fence}`) out.push(`${e.kind} ${e.step} of ${e.hop} ran on fence ${e.fence} while the lease was ${e.lease ?? 'gone'}`);
      if (e.kind === 'step' && e.lockFence !== e.fence) out.push(`step ${e.step} of ${e.hop} ran on fence ${e.fence} while the lock carried ${e.lockFence ?? 'nothing'}`);
      // Never two executors: once an attempt with a higher fence acted on a hop, no lower one acts again.
      const top = highestFence.get(e.hop) ?? 0;
      if ((e.fence ?? 0) < top) out.push(`an executor on fence ${e.fence} acted on ${e.hop} (${e.kind} ${e.step}) after fence ${top} had`);
      highestFence.set(e.hop, Math.max(top, e.fence ?? 0));
      const key = `${e.runId}/${e.fence}/${e.kind}/${e.step}`;
      starts.set(key, (starts.get(key) ?? 0) + 1);
      if (starts.get(key)! > 1) out.push(`${e.kind} ${e.step} of run ${e.runId} ran twice in the attempt on fence ${e.fence}`);
      if (m?.hops[e.hop]?.status !== 'cutting-over') out.push(`${e.kind} ${e.step} of ${e.hop} ran while the hop was ${m?.hops[e.hop]?.status}`);
      const r = reloading.get(e.hop);
      if (r && (r.outcome === undefined || events.indexOf(r) > events.indexOf(e))) out.push(`${e.kind} ${e.step} of ${e.hop} ran while a DMS reload of it was under way`);
    }
    if (e.kind === 'step') {
      if (f?.hold) out.push(`step ${e.step} of ${e.hop} ran while a hold was set`);
      const attempt = `${e.runId}/${e.fence}`;
      if (!firstOfAttempt.has(attempt)) {
        firstOfAttempt.add(attempt);
        if (f?.gatesBad) out.push(`an attempt of ${e.hop} (fence ${e.fence}) began after the gates said NO-GO`);
      }
    }
    if (e.url) {
      // The app is pointed only at the hop's own databases, while that hop is the one moving and no later hop moved.
      if (e.url !== URLS[hop.source.id] && e.url !== URLS[hop.target.id]) out.push(`the app was pointed at ${e.url} for ${e.hop}`);
      const moving = e.kind === 'point' ? 'rolling-back' : 'cutting-over';
      if (m?.hops[e.hop]?.status !== moving) out.push(`the app was pointed at ${e.url} while ${e.hop} was ${m?.hops[e.hop]?.status}`);
      const later = plan.hops.slice(plan.hops.indexOf(hop) + 1).filter((h) => !['pending', 'streaming'].includes(m?.hops[h.id]?.status ?? 'pending'));
      if (later.length) out.push(`the app was pointed back for ${e.hop} after ${later.map((h) => `${h.id} (${m?.hops[h.id]?.status})`).join(', ')}`);
    }
  }
  return out;
}

/** The final state agrees with what the ports saw: done steps ran, pending ones did not, the hop's status matches its run. */
async function checkFinalState(world: ModelWorld): Promise<string[]> {
  const out: string[] = [];
  const m = await world.migration.read();
  for (const hop of world.plan.hops) {
    const run = await world.runs.get(hop.id);
    const status = m.hops[hop.id]?.status;
    if (!run) {
      if (status !== 'pending' && status !== 'streaming') out.push(`${hop.id} is ${status} with no run`);
      continue;
    }
    const expected: Record<CutoverRun['status'], string[]> = {
      running: ['cutting-over'],
      failed: ['cutting-over'],
      interrupted: ['cutting-over'],
      aborting: ['cutting-over'],
      aborted: ['streaming'],
      done: ['done', 'rolling-back'],
      'rolled-back': ['rolled-back'],
    };
    if (!expected[run.status].includes(status ?? '')) out.push(`run ${run.id} is ${run.status} but ${hop.id} is ${status}`);
    for (const [step, rec] of Object.entries(run.steps)) {
      const mine = world.events.filter((e) => e.kind === 'step' && e.runId === run.id && e.step === step);
      if (mine.length !== rec.attempts) out.push(`step ${step} of run ${run.id} records ${rec.attempts} attempts; the ports saw ${mine.length}`);
      if (rec.status === 'done' && mine.at(-1)?.outcome !== 'ok') out.push(`step ${step} of run ${run.id} is recorded done but its last call ${mine.at(-1)?.outcome ?? 'never happened'}`);
      if (rec.status === 'pending' && mine.some((e) => e.fence === run.fence)) out.push(`step ${step} of run ${run.id} is recorded pending but ran on fence ${run.fence}`);
    }
  }
  return out;
}
