import { requestJson } from './http-json';
import { joinUrl } from './join-url';

export type DeployStatus = 'started' | 'succeeded' | 'failed';

/**
 * Deploy markers in Rollbar, so that errors after the switch line up with it. Without a write
 * token it does nothing and says so (undefined).
 */
export class RollbarDeploys {
  constructor(private readonly cfg: { baseUrl: string; environment: string; writeToken?: string; timeoutMs: number }) {}

  get enabled(): boolean {
    return Boolean(this.cfg.writeToken);
  }

  /** POST /api/1/deploy: returns the deploy id. */
  async start(revision: string, user: string, comment: string): Promise<number | undefined> {
    if (!this.cfg.writeToken) return undefined;
    const out = await requestJson<{ data?: { deploy_id?: number } }>({
      method: 'POST',
      url: joinUrl(this.cfg.baseUrl, '/api/1/deploy'),
      headers: { 'X-Rollbar-Access-Token': this.cfg.writeToken, 'Content-Type': 'application/json' },
      body: { environment: this.cfg.environment, revision, local_username: user, comment, status: 'started' },
      timeoutMs: this.cfg.timeoutMs,
      // A redirect would carry the token in its header to whatever host it names.
      followRedirects: false,
    });
    return out.data?.deploy_id;
  }

  /** PATCH /api/1/deploy/{id}: succeeded or failed. */
  async finish(deployId: number, status: Exclude<DeployStatus, 'started'>): Promise<void> {
    if (!this.cfg.writeToken) return;
    await requestJson({
      method: 'PATCH',
      url: joinUrl(this.cfg.baseUrl, `/api/1/deploy/${deployId}`),
      headers: { 'X-Rollbar-Access-Token': this.cfg.writeToken, 'Content-Type': 'application/json' },
      body: { status },
      timeoutMs: this.cfg.timeoutMs,
      // A redirect would carry the token in its header to whatever host it names.
      followRedirects: false,
    });
  }
}
