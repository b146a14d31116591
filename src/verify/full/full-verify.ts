import { randomUUID } from 'node:crypto';
import { showsHeartbeat, type Heartbeat } from '../../checks/heartbeat';
import type { Logger } from '../../log';
import type { ChannelPort, MessageRef } from '../../monitoring/channel-port';
import type { Hop, Plan } from '../../plan/plan';
import { fullVerifyCsv, fullVerifyProgressView, fullVerifySummaryViews, type FullVerifyProgress } from '../../views/verify-view';
import { DEFAULT_SEGMENTS, type SegmentOptions } from './keyed-table-diff';
import { Limiter, VerifyStopped } from './limiter';
import { FullVerifyStore, inFlightCount, persistentCount, summarize, type FullRun } from './full-verify-store';
import { segmentAggregate, serverVersion } from './segment-sql';
import { readTableShapes, qualified, type TableShape } from './table-shape';
import { verifyTable, type TableVerdict } from './table-verdict';
import type { VerifyDatabase } from './verify-database';

/** The plan's channel plus file uploads (the CSV of differing keys). */
export interface VerifyChannel extends ChannelPort {
  upload(file: { filename: string; title: string; data: Buffer }, threadTs?: string): Promise<void>;
}

export interface FullVerifyDeps {
  plan: Plan;
  store: (hop: string) => FullVerifyStore;
  channel: VerifyChannel;
  /** Opens the verify's own sessions to a plan database. */
  open(databaseId: string): VerifyDatabase;
  /** Whether the hop's source no longer takes writes (cut over, or past the fence of a cutover). */
  sourceFenced(hop: Hop): Promise<boolean>;
  /** Writes a heartbeat on the hop's source; reads the newest one the target shows. */
  heartbeat: { write(hop: Hop): Promise<Heartbeat>; readOnTarget(hop: Hop): Promise<Heartbeat | undefined> };
  processId: string;
  log: Logger;
  segments?: SegmentOptions;
  progressEveryMs?: number;
  leaseMs?: number;
}

export type StartAnswer = { started: 'new' | 'resumed'; runId: string } | { started: false; why: string };

/** A full verify running in this process. */
interface Execution {
  hop: string;
  stop(why: VerifyStopped): void;
  done: Promise<void>;
}

/**
 * `/migrate verify <hop> --full`: every row of every table, compared inside both databases, run
 * as a job: one at a time per hop across processes (a lease), bounded statements per database,
 * each finished table kept in Redis so a restarted bot resumes where it stopped, one progress
 * message edited in place, a summary and a CSV of differing keys in its thread, and a cancel.
 */
export class FullVerify {
  private readonly executions = new Map<string, Execution>();

  constructor(private readonly deps: FullVerifyDeps) {}

  private get leaseMs() {
    return this.deps.leaseMs ?? 15_000;
  }

  /** Starts a full verify of the hop, or takes up an interrupted one. */
  async start(hop: Hop, user: string, only?: string[]): Promise<StartAnswer> {
    const store = this.deps.store(hop.id);
    if (!(await store.claim(this.deps.processId, this.leaseMs))) return { started: false, why: 'a full verify of this hop is already running' };
    try {
      const previous = await store.run();
      if (previous && (previous.status === 'running' || previous.status === 'cancelling')) {
        this.launch(hop, { ...previous, resumes: previous.resumes + 1 });
        return { started: 'resumed', runId: previous.id };
      }
      const run: FullRun = { id: randomUUID().slice(0, 8), hop: hop.id, user, startedAt: Date.now(), status: 'running', only, resumes: 0 };
      await store.begin(run);
      this.launch(hop, run);
      return { started: 'new', runId: run.id };
    } catch (e) {
      await store.release(this.deps.processId).catch(() => undefined);
      throw e;
    }
  }

  /** Takes up every run a stopped or dead process left running (at start-up). */
  async resumeInterrupted(): Promise<void> {
    for (const hop of this.deps.plan.hops) {
      const store = this.deps.store(hop.id);
      const run = await store.run();
      if (!run || (run.status !== 'running' && run.status !== 'cancelling')) continue;
      if (!(await store.claim(this.deps.processId, this.leaseMs))) continue;
      this.launch(hop, { ...run, resumes: run.resumes + 1 });
    }
  }

  /** Asks the running full verify of the hop to stop; false when none is running. */
  async cancel(hop: Hop, user: string): Promise<boolean> {
    const store = this.deps.store(hop.id);
    // Atomic: a run that finished meanwhile is never turned back into a cancelling one.
    const { run, written } = await store.updateRun((cur) => (cur && (cur.status === 'running' || cur.status === 'cancelling') ? { ...cur, status: 'cancelling', cancelledBy: cur.cancelledBy ?? user } : undefined));
    if (!written || !run) return false;
    this.executions.get(hop.id)?.stop(new VerifyStopped('cancelled'));
    // Nobody runs it (its process died): finish it as cancelled here.
    if (!this.executions.has(hop.id) && (await store.claim(this.deps.processId, this.leaseMs))) this.launch(hop, run);
    return true;
  }

  /** Stops local runs at a safe point, within `timeoutMs`; they stay "running" in Redis for the next process. */
  async drain(timeoutMs: number): Promise<void> {
    const all = [...this.executions.values()];
    for (const e of all) e.stop(new VerifyStopped('stopping'));
    await Promise.race([Promise.allSettled(all.map((e) => e.done)), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private launch(hop: Hop, run: FullRun): void {
    let stopWith: (why: VerifyStopped) => void = () => undefined;
    const stopped = new Promise<VerifyStopped>((resolve) => (stopWith = resolve));
    const done = this.execute(hop, run, stopped)
      .catch((e) => this.deps.log.error({ err: e, hop: hop.id }, 'full verify failed'))
      .finally(() => {
        this.executions.delete(hop.id);
        return this.deps.store(hop.id).release(this.deps.processId).catch(() => undefined);
      });
    this.executions.set(hop.id, { hop: hop.id, stop: (why) => stopWith(why), done });
  }

  private async execute(hop: Hop, initial: FullRun, stopped: Promise<VerifyStopped>): Promise<void> {
    const { plan, channel } = this.deps;
    const store = this.deps.store(hop.id);
    let run = initial;
    const source = this.deps.open(hop.source.id);
    const target = this.deps.open(hop.target.id);
    const limits = { source: new Limiter(plan.verify.concurrency), target: new Limiter(plan.verify.concurrency) };
    let stop: VerifyStopped | undefined;
    const halt = (why: VerifyStopped) => {
      if (stop) return;
      stop = why;
      limits.source.stop(why);
      limits.target.stop(why);
      void source.cancelRunning();
      void target.cancelRunning();
    };
    void stopped.then(halt);
    if (run.status === 'cancelling') halt(new VerifyStopped('cancelled'));
    // The lease says this process runs it; a cancel asked through another process arrives with it.
    const tick = setInterval(() => {
      void (async () => {
        if (!(await store.renew(this.deps.processId, this.leaseMs))) halt(new VerifyStopped('stopping'));
        const now = await store.run();
        if (now?.status === 'cancelling') {
          run = { ...run, status: 'cancelling', cancelledBy: now.cancelledBy };
          halt(new VerifyStopped('cancelled'));
        }
      })().catch(() => undefined);
    }, Math.max(200, this.leaseMs / 5));
    const verdicts = new Map<string, TableVerdict>();
    const p: FullVerifyProgress = { hop: hop.id, user: run.user, runId: run.id, mode: run.mode, tables: 0, tablesDone: 0, rowsTotal: 0, rowsDone: 0, rowsThisProcess: 0, startedAt: run.startedAt, resumedAt: Date.now(), resumes: run.resumes, differences: 0, inFlight: 0, state: 'running' };
    let ref: MessageRef | undefined = run.message;
    try {
      const fenced = await this.deps.sourceFenced(hop);
      // A run that began live stays "live" after a resume past the fence: its first tables were compared while the source wrote.
      run.mode = fenced && run.mode !== 'live' ? 'fenced' : 'live';
      p.mode = run.mode;
      const [sourceTables, targetTables] = await Promise.all([readTableShapes(source), readTableShapes(target)]);
      const aggregate = segmentAggregate(await Promise.all([serverVersion(source), serverVersion(target)]));
      const tables = this.selected(sourceTables, run);
      const byName = new Map(targetTables.map((t) => [qualified(t), t]));
      for (const [name, v] of await store.finished()) verdicts.set(name, v);
      p.tables = tables.length;
      p.rowsTotal = tables.reduce((n, t) => n + Math.max(t.estimate, verdicts.get(qualified(t))?.rowsSource ?? 0), 0);
      const progress = () => {
        const vs = [...verdicts.values()];
        p.tablesDone = vs.length;
        p.differences = vs.reduce((n, v) => n + persistentCount(v), 0);
        p.inFlight = vs.reduce((n, v) => n + inFlightCount(v), 0);
        p.unconfirmed = vs.filter((v) => v.unconfirmed).length;
        return fullVerifyProgressView(p);
      };
      p.rowsDone = [...verdicts.values()].reduce((n, v) => n + v.rowsSource, 0);
      if (ref) await channel.update(ref, progress()).catch(() => undefined);
      else ref = await channel.post(progress());
      run.message = ref;
      // A cancel that arrived since the run began is kept, never overwritten by this save.
      const saved = await store.updateRun((cur) => (cur?.status === 'cancelling' ? { ...run, status: 'cancelling', cancelledBy: cur.cancelledBy } : run));
      if (saved.run?.status === 'cancelling') {
        run = saved.run;
        halt(new VerifyStopped('cancelled'));
      }
      let lastEdit = Date.now();
      const edit = () => {
        if (Date.now() - lastEdit < (this.deps.progressEveryMs ?? 2000) || !ref) return;
        lastEdit = Date.now();
        void channel.update(ref, progress()).catch(() => undefined);
      };
      const queue = tables.filter((t) => !verdicts.has(qualified(t)));
      const settle = () => this.settle(hop, fenced, () => stop);
      const worker = async () => {
        for (let t = queue.shift(); t && !stop; t = queue.shift()) {
          const v = await this.verifyOne(t, byName.get(qualified(t)), { source: { db: source, limit: limits.source }, target: { db: target, limit: limits.target }, aggregate, settle, onRows: (n) => ((p.rowsDone += n), (p.rowsThisProcess += n), edit()) });
          if (stop) break;
          verdicts.set(v.table, v);
          await store.saveTable(v);
          edit();
        }
      };
      // Twice as many tables in flight as statements allowed per database: while one table's result
      // is being saved, another's statement already runs (the limiters still bound each database).
      await Promise.all(Array.from({ length: plan.verify.concurrency * 2 }, worker));
      if (stop?.why === 'stopping') {
        p.state = 'paused';
        await channel.update(ref, progress()).catch(() => undefined);
        return;
      }
      const cancelled = stop?.why === 'cancelled' || (await store.run())?.status === 'cancelling';
      run = { ...run, ...(cancelled ? { status: 'cancelled', cancelledBy: run.cancelledBy ?? (await store.run())?.cancelledBy } : { status: 'done' }), finishedAt: Date.now() };
      await this.finish(store, run, [...verdicts.values()], p, ref);
    } catch (e) {
      if (e instanceof VerifyStopped && e.why === 'stopping') return;
      run = { ...run, status: 'failed', failure: (e as Error).message, finishedAt: Date.now() };
      await this.finish(store, run, [...verdicts.values()], p, ref);
    } finally {
      clearInterval(tick);
      await Promise.all([source.close().catch(() => undefined), target.close().catch(() => undefined)]);
    }
  }

  private selected(tables: TableShape[], run: FullRun): TableShape[] {
    const { plan } = this.deps;
    const skip = new Set([...plan.verify.excludeTables, `${plan.heartbeat.schema}.${plan.heartbeat.table}`]);
    return tables.filter((t) => !skip.has(qualified(t)) && (!run.only?.length || run.only.includes(qualified(t))));
  }

  private async verifyOne(s: TableShape, t: TableShape | undefined, c: Pick<Parameters<typeof verifyTable>[2], 'source' | 'target' | 'aggregate' | 'settle' | 'onRows'>): Promise<TableVerdict> {
    try {
      return await verifyTable(s, t, { ...c, segments: this.deps.segments ?? DEFAULT_SEGMENTS, excludedColumns: this.deps.plan.verify.excludeColumns[qualified(s)] ?? [] });
    } catch (e) {
      if (e instanceof VerifyStopped) return { table: qualified(s), compared: 'not compared', key: s.key, rowsSource: 0, rowsTarget: 0, differences: [], inFlight: [], unnamed: 0, problems: [], ms: 0 };
      return { table: qualified(s), compared: 'not compared', key: s.key, rowsSource: 0, rowsTarget: 0, differences: [], inFlight: [], unnamed: 0, problems: [`could not be compared: ${(e as Error).message}`], ms: 0 };
    }
  }

  /**
   * Waits until the target shows a heartbeat written on the source now, so whatever the source
   * held at the first check has had time to arrive. Undefined when it has; otherwise why not.
   */
  private async settle(hop: Hop, fenced: boolean, stopped: () => VerifyStopped | undefined): Promise<string | undefined> {
    if (fenced) return undefined;
    const limitMs = this.deps.plan.verify.lagWindowSeconds * 1000;
    let beat: Heartbeat;
    try {
      beat = await this.deps.heartbeat.write(hop);
    } catch (e) {
      return `no heartbeat could be written on ${hop.source.id} (${(e as Error).message}): differences are not confirmed against the lag; run /migrate setup`;
    }
    const deadline = Date.now() + limitMs;
    for (;;) {
      // A cancel or a stopping bot must not wait out the lag window (120 s by default).
      const stop = stopped();
      if (stop) throw stop;
      const seen = await this.deps.heartbeat.readOnTarget(hop).catch(() => undefined);
      if (showsHeartbeat(seen, beat)) return undefined;
      if (Date.now() > deadline) return `the target did not show heartbeat #${beat.seq} within ${limitMs / 1000} s (newest: ${seen?.seq ?? 'none'}): differences are not confirmed against the lag`;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async finish(store: FullVerifyStore, run: FullRun, verdicts: TableVerdict[], p: FullVerifyProgress, ref: MessageRef | undefined): Promise<void> {
    const summary = summarize(run, verdicts, run.status === 'done' ? 'done' : run.status === 'cancelled' ? 'cancelled' : 'failed', run.finishedAt ?? Date.now());
    await store.saveRun(run);
    await store.saveLast(summary);
    p.state = run.status === 'done' ? 'done' : run.status === 'cancelled' ? 'cancelled' : 'failed';
    p.failure = run.failure;
    p.cancelledBy = run.cancelledBy;
    p.mode = run.mode;
    p.tablesDone = verdicts.length;
    const { channel } = this.deps;
    const view = fullVerifyProgressView({ ...p, differences: summary.differences, inFlight: summary.inFlight, unconfirmed: summary.unconfirmedTables });
    if (ref) await channel.update(ref, view).catch((e) => this.deps.log.warn({ err: e }, 'could not edit the verify message'));
    else ref = await channel.post(view);
    for (const v of fullVerifySummaryViews(run.hop, summary, verdicts)) await channel.post(v, ref.ts);
    const csv = fullVerifyCsv(verdicts);
    if (csv) await channel.upload({ filename: `verify-${run.hop}-${run.id}.csv`, title: `Differing keys of ${run.hop} (full verify ${run.id})`, data: Buffer.from(csv) }, ref.ts).catch((e) => this.deps.log.warn({ err: e }, 'could not upload the differing keys'));
  }
}
