import type { Plan } from '../plan/plan';
import { openDatabase, type Database, type DatabaseTimeouts } from './database';

/** The plan's databases, opened lazily from their URLs (taken from the environment by name). */
export class DatabaseSet {
  private readonly open = new Map<string, Database>();

  constructor(
    private readonly plan: Plan,
    private readonly urls: Record<string, string | undefined>,
    private readonly timeouts?: DatabaseTimeouts,
  ) {}

  /** The database with this plan id; throws naming the missing variable if its URL is not set. */
  get(id: string): Database {
    const hit = this.open.get(id);
    if (hit) return hit;
    const db = this.plan.databases.find((d) => d.id === id);
    if (!db) throw new Error(`database "${id}" is not in the plan`);
    const url = this.urls[db.urlEnv];
    if (!url) throw new Error(`environment variable ${db.urlEnv} (database ${id}) is not set`);
    const opened = openDatabase({ url, tls: db.tls }, this.timeouts);
    this.open.set(id, opened);
    return opened;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open.values()].map((d) => d.close().catch(() => undefined)));
    this.open.clear();
  }
}
