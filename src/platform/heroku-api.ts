import { requestJson, SourceError } from '../health/http-json';
import { joinUrl } from '../health/join-url';

export interface FormationEntry {
  type: string;
  quantity: number;
  size?: string;
}

export interface Attachment {
  id: string;
  name: string;
  addon: { id: string; name: string };
}

/** The Heroku Platform API calls a cutover makes (Accept: version 3, bearer token). */
export class HerokuApi {
  constructor(private readonly cfg: { baseUrl: string; token: string; app: string; timeoutMs: number }) {}

  private async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    try {
      return await this.request<T>(method, path, body);
    } catch (e) {
      // Say which call failed: the timeline shows this to the people waiting on the cutover.
      if (e instanceof SourceError) throw new SourceError(e.kind, `Heroku ${method} ${path}: ${e.kind === 'malformed' ? e.message : `${e.message} (${e.kind})`}`);
      throw e;
    }
  }

  private request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return requestJson<T>({
      method,
      url: joinUrl(this.cfg.baseUrl, path),
      headers: { Accept: 'application/vnd.heroku+json; version=3', Authorization: `Bearer ${this.cfg.token}`, 'Content-Type': 'application/json' },
      body,
      timeoutMs: this.cfg.timeoutMs,
    });
  }

  private get app(): string {
    return encodeURIComponent(this.cfg.app);
  }

  setMaintenance(on: boolean): Promise<{ maintenance: boolean }> {
    return this.call('PATCH', `/apps/${this.app}`, { maintenance: on });
  }

  formation(): Promise<FormationEntry[]> {
    return this.call('GET', `/apps/${this.app}/formation`);
  }

  scale(updates: { type: string; quantity: number }[]): Promise<FormationEntry[]> {
    return this.call('PATCH', `/apps/${this.app}/formation`, { updates });
  }

  configVars(): Promise<Record<string, string>> {
    return this.call('GET', `/apps/${this.app}/config-vars`);
  }

  setConfigVars(vars: Record<string, string | null>): Promise<Record<string, string>> {
    return this.call('PATCH', `/apps/${this.app}/config-vars`, vars);
  }

  attachments(): Promise<Attachment[]> {
    return this.call('GET', `/apps/${this.app}/addon-attachments`);
  }

  attach(addon: string, name: string): Promise<Attachment> {
    return this.call('POST', '/addon-attachments', { addon, app: this.cfg.app, name });
  }

  detach(attachmentId: string): Promise<Attachment> {
    return this.call('DELETE', `/addon-attachments/${encodeURIComponent(attachmentId)}`);
  }
}
