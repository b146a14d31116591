import { CostlyCommandLimit, type CostlyClaim } from '../access/costly-command-limit';
import { StateStoreUnavailable } from '../state/state-store';
import { notice, type MessageView } from '../views/slack-text';
import { usageView } from '../views/help-view';
import { UsageError, type CommandFile, type CommandResult, type Cutover, type Subcommand } from './subcommand';

export interface DispatchInput {
  user: string;
  channel: string;
  text: string;
  now?: number;
}

export interface Dispatched {
  reply: MessageView;
  announce?: MessageView;
  files?: CommandFile[];
}

const STORE_DOWN = notice(':rotating_light: *State store unavailable* (Redis does not answer). Nothing was done; try again when it is back. `/healthz` shows when it is.');

/**
 * Runs one `/migrate` text: parse, authorize, run, audit. Never throws: every failure becomes
 * a reply, and a Redis outage is said plainly instead of pretending to succeed.
 */
export async function dispatch(input: DispatchInput, subcommands: Subcommand[], c: Cutover, log: { error: (o: object, m: string) => void }): Promise<Dispatched> {
  const started = performance.now();
  const seen: { subcommand?: string; outcome?: string } = {};
  try {
    return await dispatchOnce(input, subcommands, c, log, seen);
  } finally {
    // The name is a registered one or "unknown": a person's text never becomes a metric label.
    c.observeCommand?.(seen.subcommand ?? 'unknown', seen.outcome ?? 'store-unavailable', (performance.now() - started) / 1000);
  }
}

async function dispatchOnce(input: DispatchInput, subcommands: Subcommand[], c: Cutover, log: { error: (o: object, m: string) => void }, seen: { subcommand?: string; outcome?: string }): Promise<Dispatched> {
  const now = input.now ?? Date.now();
  const text = input.text.trim();
  const name = (text.split(/\s+/)[0] ?? '').toLowerCase() || 'help';
  const rest = text.slice(text.split(/\s+/)[0]?.length ?? 0).trim();
  const sub = subcommands.find((s) => s.name === name);
  if (!sub) {
    seen.outcome = 'refused';
    // Recorded like every other command; if Redis is down the answer is the same usage.
    await c.audit.record({ actor: input.user, action: 'command (unknown)', outcome: 'refused', detail: text.slice(0, 200) }).catch(() => undefined);
    return { reply: usageView(undefined, `unknown subcommand "${name.slice(0, 40)}"`, subcommands) };
  }
  seen.subcommand = sub.name;
  const audit = (outcome: 'ok' | 'denied' | 'refused' | 'error', detail?: string) => {
    seen.outcome = outcome;
    return c.audit.record({ actor: input.user, action: `command ${sub.name}`, outcome, detail: detail?.slice(0, 1000), command: text.slice(0, 200) });
  };
  const args = rest ? rest.split(/\s+/) : [];
  let claim: Extract<CostlyClaim, { allowed: true }> | undefined;
  let charged = true;
  try {
    const changes = typeof sub.changesMigration === 'function' ? sub.changesMigration(args) : sub.changesMigration;
    if (changes && input.channel !== c.plan.channel) {
      await audit('refused', `${text.slice(0, 200)} — sent from ${input.channel}, not the plan's channel`);
      return { reply: notice(`:no_entry: This \`/migrate ${sub.name}\` changes the migration, so it runs only in <#${c.plan.channel}>, where the team sees it. Nothing was done; run it there.`) };
    }
    if (sub.mutating) {
      const decision = await c.access.check(input.user, 'operator');
      if (!decision.allowed) {
        await audit('denied', `${text.slice(0, 200)} — ${decision.why}`);
        return { reply: notice(`:no_entry: \`/migrate ${sub.name}\` is for operators: ${decision.why}. This attempt is recorded.`) };
      }
    }
    const cost = sub.databaseCost?.(args);
    if (cost) {
      const limited = await new CostlyCommandLimit(c.redis, c.keys.costlyCommand).claim(input.user, cost);
      if (!limited.allowed) {
        await audit('refused', limited.why);
        return { reply: notice(`:hourglass: ${limited.why}. It costs the databases time, so each person runs it at most once a minute.`) };
      }
      claim = limited;
    }
    const inv = { user: input.user, channel: input.channel, args, rest, now };
    let result: CommandResult;
    try {
      result = await sub.run(inv, c);
    } catch (e) {
      if (e instanceof UsageError) {
        charged = false;
        await audit('refused', `usage: ${e.message}`);
        return { reply: usageView(sub, e.message, subcommands) };
      }
      throw e;
    }
    // Refused or denied, it cost the databases nothing: the person may try again at once.
    charged = !result.outcome || result.outcome === 'ok';
    await audit(result.outcome ?? 'ok', result.detail);
    return { reply: result.reply, announce: result.announce, files: result.files };
  } catch (e) {
    if (e instanceof StateStoreUnavailable) {
      seen.outcome = 'store-unavailable';
      return { reply: STORE_DOWN };
    }
    log.error({ err: e, subcommand: sub.name, user: input.user }, 'command failed');
    await audit('error', (e as Error).message).catch(() => undefined);
    return { reply: notice(`:x: \`/migrate ${sub.name}\` failed: ${(e as Error).message}. Nothing else was done.`) };
  } finally {
    await claim?.finish(charged).catch((e) => log.error({ err: e, subcommand: sub.name, user: input.user }, 'could not end a costly command\'s claim; it expires by itself'));
  }
}
