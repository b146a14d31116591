import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import type { StateStore } from '../state/state-store';
import { homeView, type HomeInput, type HomeView } from '../views/home-view';
import type { HomeRecipients } from './home-recipients';

/** The two Slack calls the Home tab needs. */
export interface HomeTab {
  publish(user: string, view: HomeView): Promise<void>;
  /** The workspace's URL (for links to messages); undefined when Slack does not say. */
  workspaceUrl(): Promise<string | undefined>;
}

export interface HomePublisherOptions {
  state(): Promise<Omit<HomeInput, 'workspaceUrl'>>;
  recipients: HomeRecipients;
  tab: HomeTab;
  redis: StateStore;
  /** A Redis hash: user → hash of the view last published to them. */
  publishedKey: string;
  log: Logger;
}

export interface RefreshOutcome {
  published: string[];
  unchanged: string[];
  failed: string[];
}

/**
 * Publishes the Home tab to each of the plan's people when what it shows has changed since the
 * last view they were sent (hashes in Redis, so a new leader does not republish everything). A
 * failed publish is logged and leaves the old hash: the next refresh tries that person again.
 */
export class HomePublisher {
  private workspaceUrl?: string;
  /** The last failure logged per user, so a Slack that keeps failing is logged once, not every tick. */
  private readonly failing = new Map<string, string>();

  constructor(private readonly opts: HomePublisherOptions) {}

  async refresh(): Promise<RefreshOutcome> {
    const { recipients, redis, publishedKey, log, tab } = this.opts;
    this.workspaceUrl ??= await tab.workspaceUrl().catch((e) => void log.warn({ err: e }, 'App Home: auth.test did not say the workspace URL; approval links name the channel instead'));
    const view = homeView({ ...(await this.opts.state()), workspaceUrl: this.workspaceUrl });
    const hash = createHash('sha256').update(JSON.stringify(view)).digest('hex');
    const { users, unresolved } = await recipients.resolve();
    for (const u of unresolved) log.warn({ group: u.group, why: u.why }, 'App Home: could not resolve a user group; its members are not sent the Home tab this time');
    const last = await redis.hgetall(publishedKey);
    const outcome: RefreshOutcome = { published: [], unchanged: [], failed: [] };
    for (const user of users) {
      if (last[user] === hash) {
        outcome.unchanged.push(user);
        continue;
      }
      try {
        await tab.publish(user, view);
      } catch (e) {
        outcome.failed.push(user);
        const message = (e as Error).message;
        if (this.failing.get(user) !== message) log.error({ err: e, user }, 'App Home: views.publish failed; trying again at the next refresh');
        this.failing.set(user, message);
        continue;
      }
      await redis.hset(publishedKey, user, hash);
      outcome.published.push(user);
      if (this.failing.delete(user)) log.info({ user }, 'App Home: published again');
    }
    return outcome;
  }
}
