import type { CheckResult, CheckStatus } from '../checks/check-result';
import type { Plan } from '../plan/plan';
import { requestJson, SourceError } from './http-json';
import { joinUrl } from './join-url';

type PageConfig = Plan['health']['status_pages'][number];
type Level = 'none' | 'minor' | 'major' | 'critical' | 'maintenance';

interface Reading {
  level: Level;
  description: string;
}

/** Reads one status page in its own format and grades it with the plan's warn_on / fail_on levels. */
export async function checkStatusPage(page: PageConfig, timeoutMs: number, now = Date.now): Promise<CheckResult> {
  const base = { id: `status.${page.name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, label: `${page.name} status page`, source: page.url, link: page.url };
  try {
    const r = await READERS[page.kind](page, timeoutMs);
    const status: CheckStatus = r.level === 'none' ? 'ok' : page.fail_on.includes(r.level) ? 'fail' : page.warn_on.includes(r.level) ? 'warn' : 'ok';
    return { ...base, status, value: r.description, observedAt: now(), detail: status === 'ok' ? undefined : `${page.name} reports ${r.level}: ${r.description}` };
  } catch (e) {
    const why = e instanceof SourceError ? `${e.kind}: ${e.message}` : (e as Error).message;
    return { ...base, status: 'unknown', observedAt: now(), detail: `cannot read the ${page.name} status page (${why})` };
  }
}

const worst = (levels: Level[]): Level => {
  const rank: Level[] = ['none', 'maintenance', 'minor', 'major', 'critical'];
  return levels.reduce<Level>((w, l) => (rank.indexOf(l) > rank.indexOf(w) ? l : w), 'none');
};

function malformed(what: string): never {
  throw new SourceError('malformed', what);
}

const READERS: Record<PageConfig['kind'], (p: PageConfig, timeoutMs: number) => Promise<Reading>> = {
  /** Atlassian Statuspage v2: summary.json, the overall indicator or only the named components. */
  async statuspage(p, timeoutMs) {
    const s = await requestJson<{ status?: { indicator?: string; description?: string }; components?: { name: string; status: string }[] }>({ url: joinUrl(p.url, '/api/v2/summary.json'), timeoutMs });
    if (!p.components?.length) {
      const indicator = s.status?.indicator;
      const map: Record<string, Level> = { none: 'none', minor: 'minor', major: 'major', critical: 'critical', maintenance: 'maintenance' };
      if (!indicator || !(indicator in map)) malformed(`summary.json has no known status.indicator (${String(indicator)})`);
      return { level: map[indicator], description: s.status?.description ?? indicator };
    }
    if (!Array.isArray(s.components)) malformed('summary.json has no components');
    const compMap: Record<string, Level> = { operational: 'none', degraded_performance: 'minor', partial_outage: 'major', major_outage: 'critical', under_maintenance: 'maintenance' };
    const found = p.components.map((name) => {
      const c = s.components!.find((x) => x.name === name);
      if (!c) malformed(`component "${name}" is not on the page`);
      if (!(c.status in compMap)) malformed(`component "${name}" has unknown status ${c.status}`);
      return { name, level: compMap[c.status], status: c.status };
    });
    const bad = found.filter((f) => f.level !== 'none');
    return { level: worst(found.map((f) => f.level)), description: bad.length ? bad.map((b) => `${b.name}: ${b.status.replace(/_/g, ' ')}`).join(', ') : 'components operational' };
  },
  /** Heroku: /api/v4/current-status → status: [{ system, status: green|yellow|red }]. */
  async heroku(p, timeoutMs) {
    const s = await requestJson<{ status?: { system: string; status: string }[] }>({ url: joinUrl(p.url, '/api/v4/current-status'), timeoutMs });
    if (!Array.isArray(s.status) || !s.status.length) malformed('current-status has no status list');
    const map: Record<string, Level> = { green: 'none', yellow: 'minor', red: 'critical' };
    const systems = s.status.map((x) => {
      if (!(x.status in map)) malformed(`system ${x.system} has unknown status ${x.status}`);
      return { ...x, level: map[x.status] };
    });
    const bad = systems.filter((x) => x.level !== 'none');
    return { level: worst(systems.map((x) => x.level)), description: bad.length ? bad.map((b) => `${b.system} ${b.status}`).join(', ') : 'all systems green' };
  },
  /** Slack: /api/v2.0.0/current → status ok | active (an incident) | broken. */
  async slack(p, timeoutMs) {
    const s = await requestJson<{ status?: string; active_incidents?: { title?: string; type?: string }[] }>({ url: joinUrl(p.url, '/api/v2.0.0/current'), timeoutMs });
    const map: Record<string, Level> = { ok: 'none', active: 'minor', broken: 'critical' };
    if (!s.status || !(s.status in map)) malformed(`unknown Slack status ${String(s.status)}`);
    const incidents = (s.active_incidents ?? []).map((i) => i.title).filter(Boolean);
    const level = s.status === 'active' && (s.active_incidents ?? []).some((i) => i.type === 'outage') ? 'major' : map[s.status];
    return { level, description: incidents.length ? incidents.join('; ') : s.status === 'ok' ? 'ok' : s.status };
  },
};
