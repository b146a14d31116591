import type { Incident } from '../alerts/incident';
import { readJson, updateJson } from './compare-and-set';
import { inStore, type StateStore } from './state-store';

/** Open incidents, one JSON value each under a common prefix. */
export class IncidentStore {
  constructor(
    private readonly redis: StateStore,
    private readonly prefix: string,
  ) {}

  private get index(): string {
    return `${this.prefix}:index`;
  }

  get(key: string): Promise<Incident | undefined> {
    return readJson<Incident>(this.redis, `${this.prefix}:${key}`);
  }

  /** Applies `step` atomically; returns what the step decided. */
  async step<R>(key: string, step: (prev: Incident | undefined) => { next: Incident | undefined; result: R }): Promise<R> {
    const k = `${this.prefix}:${key}`;
    let deleteIt = false;
    const out = await updateJson<Incident, R>(this.redis, k, (prev) => {
      const { next, result } = step(prev);
      deleteIt = next === undefined && prev !== undefined;
      return { next, result };
    });
    // Only the leader evaluates alerts, so the index needs no transaction with the value.
    if (deleteIt) await inStore(() => this.redis.multi().del(k).srem(this.index, key).exec());
    else if (out.written) await inStore(() => this.redis.sadd(this.index, key));
    return out.result;
  }

  /** The keys of every incident kept, fired or still within its grace. */
  keys(): Promise<string[]> {
    return inStore(() => this.redis.smembers(this.index));
  }

  async open(): Promise<Incident[]> {
    const keys = await this.keys();
    const all = await Promise.all(keys.map((k) => this.get(k)));
    return all.filter((i): i is Incident => i?.firedAt !== undefined);
  }

  async setMessage(key: string, message: { channel: string; ts: string }): Promise<void> {
    await updateJson<Incident, void>(this.redis, `${this.prefix}:${key}`, (cur) => ({ next: cur && { ...cur, message }, result: undefined }));
  }

  /** Keeps a resolved incident (start, fire, end) in a capped stream: the report's incident list. */
  async recordResolved(incident: Incident, resolvedAt: number): Promise<void> {
    const kept: ResolvedIncident = { key: incident.key, summary: incident.summary, since: incident.since, firedAt: incident.firedAt, resolvedAt };
    await inStore(() => this.redis.xadd(`${this.prefix}:resolved`, 'MAXLEN', '~', '1000', '*', 'json', JSON.stringify(kept)));
  }

  /** The newest `count` resolved incidents, oldest first. */
  async resolved(count: number): Promise<ResolvedIncident[]> {
    const rows = await inStore(() => this.redis.xrevrange(`${this.prefix}:resolved`, '+', '-', 'COUNT', count));
    return rows.reverse().map(([, f]) => JSON.parse(f[f.indexOf('json') + 1]) as ResolvedIncident);
  }
}

/** An incident that fired and was resolved: what the report lists. */
export interface ResolvedIncident {
  key: string;
  summary: string;
  since: number;
  firedAt?: number;
  resolvedAt: number;
}
