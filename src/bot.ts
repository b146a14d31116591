import { randomUUID } from 'node:crypto';
import { App } from '@slack/bolt';
import { WebClient, type RetryOptions } from '@slack/web-api';
import { AccessControl } from './access/access-control';
import { ApprovalService, type ApprovalAction } from './approvals/approval-service';
import { allSubcommands } from './commands/registry';
import type { Cutover } from './commands/subcommand';
import { redisTlsOf, type Settings } from './config/settings';
import { InFlightWork } from './lifecycle/in-flight-work';
import { settlesWithin } from './lifecycle/settles-within';
import type { Logger } from './log';
import type { Plan } from './plan/plan';
import { boltLogger } from './slack/bolt-logger';
import { botAuthorization } from './slack/bot-authorization';
import { slackClientOptions } from './slack/slack-client-options';
import { registerApprovalButtons } from './slack/approval-button-listener';
import { ChannelPoster } from './slack/channel-poster';
import { asCustomRoute, healthz } from './slack/healthz-route';
import { AckFirstReceiver } from './slack/ack-first-receiver';
import { registerMigrateCommand } from './slack/migrate-command-listener';
import { requestGate } from './slack/request-gate';
import { SlackWorkspace } from './slack/slack-workspace';
import { slackApprovalBoard } from './slack/slack-approval-board';
import { slackUsergroupDirectory } from './slack/slack-usergroup-directory';
import { ApprovalStore } from './state/approval-store';
import { AuditLog } from './state/audit-log';
import { keysFor } from './state/keys';
import { DEFAULT_LOCK_TIMING, MigrationLock, type LockTiming } from './state/migration-lock';
import { MigrationState } from './state/migration-state';
import { connectStateStore } from './state/state-store';
import { redisAtStart } from './lifecycle/redis-at-start';
import { DatabaseSet } from './db/database-set';
import { LagMonitor } from './monitoring/lag-monitor';
import { monitoringJobs } from './monitoring/monitoring-jobs';
import { catchUpReader } from './dms/hop-catch-up';
import { LeaderLease } from './scheduler/leader-lease';
import { JobScheduler } from './scheduler/job-scheduler';
import { IncidentStore } from './state/incident-store';
import { AlertDesk } from './alerts/alert-desk';
import { SampleStore } from './state/sample-store';
import { planChannel } from './slack/plan-channel';
import { dmsApprovalActions } from './dms/dms-approval-actions';
import { awsDms } from './dms/aws-dms';
import { cloudWatchCdcLatency } from './dms/cdc-latency';
import { GateRunner } from './gates/gate-runner';
import { SequenceService } from './sequences/sequence-service';
import { sequenceApprovalActions } from './sequences/sequence-approval-actions';
import { sequenceGate } from './sequences/sequence-gate';
import { PreflightCache, preflightGate } from './checks/preflight/preflight-gate';
import { runPreflight } from './checks/preflight/run-preflight';
import { awsPermissionProbes } from './checks/preflight/aws-probes';
import { VerifyService } from './verify/verify-service';
import { FullVerify } from './verify/full/full-verify';
import { FullVerifyStore, fullVerifyKeys } from './verify/full/full-verify-store';
import { fullVerifyGate } from './verify/full/full-verify-gate';
import { rdsGates } from './rds/rds-gate';
import { rdsHealthIn } from './rds/rds-health-in-region';
import { selfManagedTargetGates } from './checks/self-managed-target-gate';
import { openVerifyDatabase } from './verify/full/verify-database';
import { readHeartbeat, writeHeartbeat } from './checks/heartbeat';
import { CutoverRunner } from './cutover/cutover-runner';
import { CutoverRunStore } from './cutover/cutover-run';
import { resumeApprovalRequester } from './cutover/resume-approval';
import { resumeGates } from './cutover/resume-gates';
import { rollBackAfterCutover } from './cutover/roll-back-after-cutover';
import { appUrlsReadiness } from './cutover/app-url';
import { cutoverApprovalActions, withdrawStaleCutoverApprovals } from './cutover/cutover-approval-actions';
import { RollbarDeploys } from './health/rollbar-deploys';
import { HerokuApi } from './platform/heroku-api';
import { herokuAppControl } from './platform/app-control';
import { webhookAppControl, webhookSettingProblems } from './platform/webhook-app-control';
import { registerCutoverButtons } from './slack/cutover-button-listener';
import type { Hop } from './plan/plan';
import { MetricRecords } from './metrics/metric-records';
import { metricSources } from './metrics/metric-sources';
import { CutoverMetrics } from './metrics/metrics-registry';
import { metricsRoute } from './metrics/metrics-route';
import { ScrapeSnapshot } from './metrics/metrics-snapshot';
import { RecordedDmsMonitor } from './metrics/recorded-dms-monitor';
import { RecordedHealthGates } from './metrics/recorded-health-gates';
import { ErrorRateStore } from './state/error-rate-store';
import { homeJob } from './home/home-job';
import { HomePublisher } from './home/home-publisher';
import { HomeRecipients } from './home/home-recipients';
import { readHomeState } from './home/home-state';
import { slackHomeTab } from './home/slack-home-tab';

/** A stop's bounds: the receiver, in-flight work, then connections (and Redis's 0.5 s): under 8 s together. */
const STOP_RECEIVER_MS = 1_500;
const STOP_DRAIN_MS = 4_500;
const STOP_CLOSE_MS = 1_500;
/** A scrape reads Redis for at most this long; what has not answered by then is NaN or left out. */
const METRICS_READ_MS = 1_500;

export interface BotOptions {
  settings: Settings;
  plan: Plan;
  log: Logger;
  lockTiming?: LockTiming;
  /** The WebClient's retry policy; SLACK_RETRY_POLICY (two retries within about 10 s) when absent. */
  slackRetryConfig?: RetryOptions;
  /** Actions that approvals may run, by kind. */
  approvalActions?: Map<string, ApprovalAction>;
  approvalSweepMs?: number;
  /** Database URLs by environment-variable name (the plan's url_env); usually process.env. */
  databaseUrls?: Record<string, string | undefined>;
  /** Run the scheduled jobs (heartbeat, sampling, alerts, channel updates) when this process leads. Default true. */
  jobs?: boolean;
  leaderTtlMs?: number;
  /** How long one AWS API request may take before it is retried (default 10 s). */
  awsRequestTimeoutMs?: number;
}

export interface RunningBot {
  port: number;
  processId: string;
  cutover: Cutover;
  /** Graceful stop within 8 s: stop the receiver, drain in-flight work (4.5 s), hand the lock off, close connections. */
  stop(): Promise<void>;
}

/** Builds the bot from settings and plan and starts it (HTTP mode, or Socket Mode with an app token). */
export async function startBot(opts: BotOptions): Promise<RunningBot> {
  const { settings, plan, log } = opts;
  const processId = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const redis = connectStateStore(settings.redisUrl, {}, redisTlsOf(settings));
  const redisState = await redisAtStart(redis, 5000);
  if (redisState.reachable) log.info({ redis: 'reachable' }, 'Redis: reachable');
  else log.warn({ redis: 'unreachable', reason: redisState.reason }, `Redis is unreachable: ${redisState.reason}. Starting anyway: commands will say so until it is back`);
  const keys = keysFor(plan.name);
  const work = new InFlightWork();

  const health = healthz(redis, processId, () => lease.isLeader);
  const records = new MetricRecords(redis, keys);
  const metrics = new CutoverMetrics(new ScrapeSnapshot(metricSources(plan, () => ({ samples, runs, records, migration, lock, approvalStore }), () => lease.isLeader, processId), METRICS_READ_MS));
  const metricsPage = metricsRoute(metrics, settings.metricsToken);
  const clientOptions = slackClientOptions({ apiUrl: settings.slackApiUrl, retryConfig: opts.slackRetryConfig });
  const slackLog = boltLogger(log);
  const client = new WebClient(settings.slackBotToken, { ...clientOptions, logger: slackLog });
  const auth = botAuthorization(client, settings.slackBotToken);
  const socketMode = Boolean(settings.slackAppToken);
  const app = socketMode
    ? new App({
        authorize: auth.authorize,
        appToken: settings.slackAppToken,
        socketMode: true,
        customRoutes: [asCustomRoute(health), asCustomRoute(metricsPage)],
        // Socket Mode opens its connection with its own WebClient: it needs the API URL too.
        installerOptions: { port: settings.port, clientOptions },
        clientOptions,
        logger: slackLog,
        convoStore: false,
      })
    : new App({
        authorize: auth.authorize,
        receiver: new AckFirstReceiver({ signingSecret: settings.slackSigningSecret, endpoint: '/slack/events', routes: [health, metricsPage], log }),
        clientOptions,
        logger: slackLog,
        // Nothing here reads conversation context; the store is one more middleware on every request.
        convoStore: false,
      });

  const poster = new ChannelPoster(client);
  const audit = new AuditLog(redis, keys);
  // Before any listener: the request's shape, then its workspace and app (the workspace is asked for now, not on the first command).
  const workspace = new SlackWorkspace({ teamId: settings.slackTeamId, appId: settings.slackAppId, authTest: () => client.auth.test() });
  void workspace.learn();
  // Every request is in-flight work from Bolt's first middleware on, so a stop waits for it.
  app.use(async ({ next }) => void (await work.track(next)));
  app.use(requestGate({ workspace, audit, log }));
  const access = new AccessControl(plan.access, slackUsergroupDirectory(client));
  const approvalStore = new ApprovalStore(redis, keys);
  // Filled in below, once the domain the built-in actions use exists.
  const actions = new Map<string, ApprovalAction>(opts.approvalActions ?? []);
  const approvals = new ApprovalService({
    store: approvalStore,
    access,
    board: slackApprovalBoard(poster, plan.channel, log),
    audit,
    actions,
    rules: plan.access,
    log,
  });
  const lock = new MigrationLock(redis, keys, processId, opts.lockTiming ?? DEFAULT_LOCK_TIMING);
  const migration = new MigrationState(redis, keys, plan);
  const databases = new DatabaseSet(plan, opts.databaseUrls ?? {}, plan.databaseTimeouts);
  const samples = new SampleStore(redis, keys.samples);
  const channel = planChannel(poster, plan.channel);
  const alerts = new AlertDesk(new IncidentStore(redis, keys.incidents), channel, plan.alerts.reminderMs, log);
  const dms = new RecordedDmsMonitor({ plan, dmsFor: perRegion((r) => awsDms(r, 4, opts.awsRequestTimeoutMs)), cdcLatencyFor: perRegion((r) => cloudWatchCdcLatency(r, opts.awsRequestTimeoutMs)), redis, progressKey: keys.dmsProgress, alerts, migration, log }, records);
  const runs = new CutoverRunStore(redis, keys.cutoverRun);
  // The hop's status, and its cutover run while it is cutting over.
  const cutoverOf = async (hop: Hop) => {
    const status = (await migration.read()).hops[hop.id]?.status;
    return { status, run: status === 'cutting-over' ? await runs.get(hop.id) : undefined };
  };
  // Fenced once the hop is cut over, or its cutover is past the fence step.
  const sourceFenced = async (hop: Hop) => {
    const { status, run } = await cutoverOf(hop);
    return status === 'done' || run?.steps.fence?.status === 'done';
  };
  // Its replication ended by design: cut over, or a cutover running past its fence. A run stopped or
  // rolling back may have brought replication back (Abort undoes the detach): its alerts stay on.
  const replicationEnded = async (hop: Hop) => {
    const { status, run } = await cutoverOf(hop);
    return status === 'done' || (run?.status === 'running' && run.steps.fence?.status === 'done');
  };
  const monitor = new LagMonitor({
    replicationEnded,
    plan,
    databases,
    samples,
    alerts,
    migration,
    channel,
    redis,
    updateKey: keys.channelUpdate,
    log,
    catchUp: catchUpReader(dms),
  });
  const rollbar = plan.health.rollbar && {
    baseUrl: plan.health.rollbar.base_url,
    environment: plan.health.rollbar.environment,
    readToken: settings.rollbarReadToken,
    projectUrl: plan.health.rollbar.project_url,
    windowMinutes: plan.health.rollbar.window_minutes,
    baselineHours: plan.health.rollbar.baseline_hours,
    spikeRatio: plan.health.rollbar.spike_ratio,
    cutoverSpikeRatio: plan.health.rollbar.cutover_spike_ratio,
    minErrors: plan.health.rollbar.min_errors,
  };
  const sequences = new SequenceService(databases, plan.sequences.safetyGap, plan.sequences.exclude);
  const gateRunner = new GateRunner(plan.health.timeout_ms, plan.health.cache_seconds * 1000);
  const preflight = new PreflightCache((hop) => runPreflight(hop, { plan, urls: opts.databaseUrls ?? {}, timeouts: plan.databaseTimeouts, aws: perRegion((r) => awsPermissionProbes(r, opts.awsRequestTimeoutMs ?? plan.health.timeout_ms)), rdsIn: (region) => rdsHealthIn(region, opts.awsRequestTimeoutMs ?? 10_000) }));
  // A connection per URL (connect, then a few statements each) and one AWS call per action, side by side.
  const preflightTimeoutMs = plan.databaseTimeouts.connectTimeoutMs + 3 * plan.databaseTimeouts.statementTimeoutMs + 1000;
  const fullVerifyStore = (hop: string) => new FullVerifyStore(redis, fullVerifyKeys(keys.verifyRun(hop)));
  const gates = new RecordedHealthGates({
    plan,
    migration,
    monitor,
    dms,
    rollbar,
    runner: gateRunner,
    alerts,
    extraGates: (hop) => [sequenceGate(hop, sequences), preflightGate(hop, preflight, preflightTimeoutMs), fullVerifyGate(hop, plan, (h) => fullVerifyStore(h.id).last()), ...rdsGates(hop, (region) => rdsHealthIn(region, opts.awsRequestTimeoutMs ?? 10_000), opts.awsRequestTimeoutMs ?? 10_000), ...selfManagedTargetGates(hop, () => databases.get(hop.target.id))],
    watchedUntil: (hop) => runner.watchedUntil(hop.id),
  }, records, log, new ErrorRateStore(redis, keys.errorRates));
  const fullVerify = new FullVerify({
    plan,
    store: fullVerifyStore,
    channel: { ...channel, upload: (file, threadTs) => poster.upload(plan.channel, file, threadTs) },
    open: (id) => {
      const db = plan.databases.find((d) => d.id === id);
      const url = db && (opts.databaseUrls ?? {})[db.urlEnv];
      if (!url) throw new Error(`environment variable ${db?.urlEnv ?? '?'} (database ${id}) is not set`);
      return openVerifyDatabase({ url, tls: db.tls }, { connectTimeoutMs: plan.databaseTimeouts.connectTimeoutMs, statementTimeoutMs: plan.verify.statementTimeoutMs, connections: plan.verify.concurrency });
    },
    sourceFenced,
    heartbeat: {
      write: (hop) => writeHeartbeat(databases.get(hop.source.id), plan.heartbeat, hop.source.id),
      readOnTarget: (hop) => readHeartbeat(databases.get(hop.target.id), plan.heartbeat, hop.source.id),
    },
    processId,
    log,
  });
  const verify = new VerifyService({ databases, channel, redis, runKey: keys.verifyRun, options: { ...plan.verify, progressEveryMs: 2000 }, log, full: fullVerify });
  const urls = opts.databaseUrls ?? {};
  const deploys = new RollbarDeploys({ baseUrl: plan.health.rollbar?.base_url ?? 'https://api.rollbar.com', environment: plan.health.rollbar?.environment ?? 'production', writeToken: settings.rollbarWriteToken, timeoutMs: plan.health.timeout_ms });
  const runner: CutoverRunner = new CutoverRunner({
    plan,
    runs,
    lock,
    migration,
    channel,
    audit,
    redis,
    keys: { lock: keys.lock, fence: keys.fence, lease: keys.cutoverLease },
    processId,
    log,
    resumeGates: (hop, run) => resumeGates(gates, gateRunner, hop, run),
    requestResumeApproval: resumeApprovalRequester(approvals, migration),
    stepDeps: (hop) => stepDeps(hop),
  });
  function stepDeps(hop: Hop) {
    return {
      plan,
      hop,
      databases,
      app:
        hop.app?.platform === 'webhook'
          ? webhookAppControl({ url: urls[hop.app.webhookUrlEnv ?? ''] ?? '', secret: urls[hop.app.webhookSecretEnv ?? ''] ?? '', hop: hop.id })
          : herokuAppControl(new HerokuApi({ baseUrl: hop.app?.apiUrl ?? 'https://api.heroku.com', token: settings.herokuApiToken ?? '', app: hop.app?.name ?? '', timeoutMs: 15_000 }), hop.app?.name ?? ''),
      sequences,
      dms,
      deploys,
      sourceUrl: urls[hop.source.urlEnv] ?? '',
      targetUrl: urls[hop.target.urlEnv] ?? '',
      // The app's own URLs: what the cutover gives the app (the steps refuse an empty one).
      sourceAppUrl: (hop.source.appUrlEnv && urls[hop.source.appUrlEnv]) || '',
      targetAppUrl: (hop.target.appUrlEnv && urls[hop.target.appUrlEnv]) || '',
      fenceTimeoutMs: plan.cutover.fenceTimeoutSeconds * 1000,
    };
  }
  const rollBack = (hop: Hop, by: string, runId: string | undefined) => rollBackAfterCutover({ plan, runs, migration, redis, audit, stepDeps, refresh: (h) => runner.refresh(h) }, hop, by, runId);
  const cutoverReadiness = (hop: Hop): string | undefined => {
    if (!hop.app) return `the plan has no \`app\` for ${hop.id}: the bot would not know how to stop the app's writes`;
    if (hop.app.platform === 'webhook') {
      if (!hop.app.webhookUrlEnv) return `the plan's app for ${hop.id} has no webhook_url_env`;
      if (!hop.app.webhookSecretEnv) return `the plan's app for ${hop.id} has no webhook_secret_env`;
      const [problem] = webhookSettingProblems(hop.app, urls);
      if (problem) return `${problem.variable} (hops.${hop.id}.app.${problem.field}): ${problem.problem}`;
    } else if (!settings.herokuApiToken) return 'HEROKU_API_TOKEN is not set';
    for (const db of [hop.source, hop.target]) if (!urls[db.urlEnv]) return `${db.urlEnv} is not set`;
    return appUrlsReadiness(hop, urls);
  };
  const cutover: Cutover = { plan, redis, keys, lock, migration, approvals, approvalStore, audit, access, monitor, samples, dms, gates, sequences, verify, runner, runs, cutoverReadiness, stepDeps, preflight, observeCommand: (s, o, sec) => metrics.observeCommand(s, o, sec) };
  for (const [kind, action] of cutoverApprovalActions({ plan, gates, runner, migration, rollBack, readiness: cutoverReadiness, runs, audit })) if (!actions.has(kind)) actions.set(kind, action);
  for (const [kind, action] of sequenceApprovalActions({ plan, sequences, lock, migration })) if (!actions.has(kind)) actions.set(kind, action);
  for (const [kind, action] of dmsApprovalActions({ plan, dms, lock, migration })) if (!actions.has(kind)) actions.set(kind, action);

  registerMigrateCommand(app, { cutover, subcommands: allSubcommands(), work, poster, log });
  registerApprovalButtons(app, { approvals, work, log });
  registerCutoverButtons(app, { plan, migration, runner, runs, lock, approvals, access, audit, work, log });
  app.error(async (e) => log.error({ err: e }, 'unhandled error in a Slack listener'));

  lock.startRenewing((e) => log.debug({ err: e }, 'lock renewal failed; retrying'));
  const sweep = setInterval(() => {
    approvals.expireDue().catch((e) => log.debug({ err: e }, 'approval expiry sweep failed; retrying'));
  }, opts.approvalSweepMs ?? 15_000);
  sweep.unref();

  const lease = new LeaderLease(redis, keys.leader, processId, opts.leaderTtlMs ?? plan.schedule.leaderTtlMs, (leading) =>
    log.info({ processId, leading }, leading ? 'this process now runs the scheduled jobs' : 'this process no longer runs the scheduled jobs'),
  );
  const scheduler = new JobScheduler(lease, log, plan.schedule.timezone);
  if (opts.jobs ?? true) {
    for (const job of monitoringJobs(monitor, dms, gates, plan)) scheduler.add(job);
    const home = new HomePublisher({ state: () => readHomeState({ plan, migration, runs, records, samples, lock, approvalStore }, Date.now()), recipients: new HomeRecipients(plan.access, slackUsergroupDirectory(client)), tab: slackHomeTab(client), redis, publishedKey: keys.homePublished, log });
    scheduler.add(homeJob(home, plan.schedule.sample));
    // Also after start-up: a dead executor's lease takes a few seconds to expire.
    scheduler.add({ name: 'cutover-recovery', schedule: plan.schedule.sample, run: async () => void (await runner.recoverInterrupted()) });
    scheduler.add({
      name: 'cutover-approvals',
      schedule: plan.schedule.health,
      run: async () => void (await withdrawStaleCutoverApprovals({ plan, gates, pending: () => approvalStore.pending(), invalidate: (id, why) => approvals.invalidate(id, why) })),
    });
    lease.start();
  }

  // A full verify a stopped or dead process left running goes on where it stopped.
  void fullVerify.resumeInterrupted().catch((e) => log.error({ err: e }, 'could not resume an interrupted full verify'));
  // A cutover left running by a process that died is shown as interrupted, with Resume and Abort.
  await runner.recoverInterrupted().catch((e) => log.error({ err: e }, 'could not check for interrupted cutovers'));

  const started = (await app.start(settings.port)) as unknown;
  const port = socketMode ? settings.port : (started as number);
  log.info({ port, socketMode, plan: plan.name, processId }, 'cutover is running');
  void auth.verify(log);

  return {
    port,
    processId,
    cutover,
    async stop() {
      log.info({ inFlight: work.size }, 'stopping: no new requests; draining in-flight work');
      clearInterval(sweep);
      auth.stopVerifying();
      // Requests already acknowledged still run: the receiver stops (and hands them over) before the drain.
      const receiverStopped = await settlesWithin(app.stop().catch((e) => log.error({ err: e }, 'error while stopping the Slack receiver')), STOP_RECEIVER_MS);
      if (!receiverStopped) log.error({ receiverMs: STOP_RECEIVER_MS }, 'the Slack receiver did not stop in time; draining anyway');
      // Commands, scheduled jobs and a verify run share one bound to reach a safe point.
      const [drained, jobsDrained] = await Promise.all([work.drain(STOP_DRAIN_MS), scheduler.stop(STOP_DRAIN_MS), verify.drain(STOP_DRAIN_MS)]);
      if (!drained || !jobsDrained) log.error({ inFlight: work.size, jobsDrained }, 'stopping with work still running');
      // Each of these waits on Redis or Postgres, either of which may not answer.
      const closed = await settlesWithin(
        Promise.all([
          lease.stop(),
          lock.stopRenewing(true),
          databases.closeAll(),
        ]),
        STOP_CLOSE_MS,
      );
      if (!closed) log.error({ closeMs: STOP_CLOSE_MS }, 'connections did not close in time; leaving them');
      if (!(await settlesWithin(redis.quit().catch(() => redis.disconnect()), 500))) redis.disconnect();
      log.info('stopped');
    },
  };
}

/** One SDK client per region, made on first use. */
function perRegion<T>(make: (region: string) => T): (hop: Hop) => T {
  const clients = new Map<string, T>();
  return (hop) => {
    const region = hop.dms?.region ?? 'us-east-1';
    let c = clients.get(region);
    if (!c) clients.set(region, (c = make(region)));
    return c;
  };
}
