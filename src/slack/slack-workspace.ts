/** What `auth.test` says about the bot token: the workspace it was installed in. */
export interface AuthTest {
  team_id?: string;
  team?: string;
}

export type WorkspaceCheck = { allowed: true } | { allowed: false; why: string; reply: string };

export interface SlackWorkspaceOptions {
  /** `SLACK_TEAM_ID`; when absent, the bot token's workspace from `auth.test`. */
  teamId?: string;
  /** `SLACK_APP_ID`; when absent the app is not checked (the signing secret is the app's own already). */
  appId?: string;
  authTest(): Promise<AuthTest>;
  /** How long a request may wait for `auth.test`. */
  timeoutMs?: number;
  /** After a failed `auth.test`, requests are refused without asking again for this long. */
  retryAfterMs?: number;
}

/**
 * The one workspace (and app) the bot serves. A request from any other is refused; while the bot
 * cannot tell which workspace it serves (no setting, `auth.test` failing), every request is refused.
 */
export class SlackWorkspace {
  private known?: { id: string; name?: string };
  private asking?: Promise<void>;
  private lastFailure?: { at: number; why: string };

  constructor(private readonly opts: SlackWorkspaceOptions) {
    if (opts.teamId) this.known = { id: opts.teamId };
  }

  /** Asks Slack now (at start-up), so that the first request does not wait for it. */
  learn(): Promise<void> {
    if (this.known) return Promise.resolve();
    this.asking ??= this.opts
      .authTest()
      .then((me) => {
        if (!me.team_id) throw new Error('auth.test named no team_id');
        this.known = { id: me.team_id, name: me.team };
        this.lastFailure = undefined;
      })
      .catch((e: Error) => {
        this.lastFailure = { at: Date.now(), why: e.message };
      })
      .finally(() => {
        this.asking = undefined;
      });
    return this.asking;
  }

  /** Whether a request from this workspace and app may run. */
  async check(teamId: string, appId: string | undefined): Promise<WorkspaceCheck> {
    if (!this.known) await this.waitForAuthTest();
    const ours = this.known;
    if (!ours) {
      const why = `the bot cannot tell which workspace it serves (auth.test: ${this.lastFailure?.why ?? 'no answer yet'}; SLACK_TEAM_ID is not set)`;
      return { allowed: false, why, reply: `:warning: Nothing was done: ${why}. Try again in a minute, and tell the on-call engineer if this repeats.` };
    }
    const serves = ours.name ? `*${ours.name}* (${ours.id})` : ours.id;
    if (teamId !== ours.id) return { allowed: false, why: `workspace ${teamId} is not ${ours.id}`, reply: `:no_entry: This bot serves workspace ${serves}, not this one; nothing was done.` };
    const app = this.opts.appId;
    if (app && appId !== app) return { allowed: false, why: `app ${appId ?? '(none)'} is not ${app}`, reply: `:no_entry: This request came from another Slack app (${appId ?? 'none named'}); this bot serves app ${app} in workspace ${serves}. Nothing was done.` };
    return { allowed: true };
  }

  private async waitForAuthTest(): Promise<void> {
    const recent = this.lastFailure && Date.now() - this.lastFailure.at < (this.opts.retryAfterMs ?? 10_000);
    if (recent && !this.asking) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.lastFailure ??= { at: Date.now(), why: `no answer within ${this.opts.timeoutMs ?? 3000} ms` };
        resolve();
      }, this.opts.timeoutMs ?? 3000);
    });
    await Promise.race([this.learn(), timeout]);
    clearTimeout(timer);
  }
}
