/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A metric family: its TYPE, HELP and samples (a histogram's _bucket/_sum/_count included). */
export interface Family {
  type?: string;
  help?: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/;

/** Parses the Prometheus text exposition format (0.0.4); throws on a line it does not understand. */
export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { samples: [] }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') family(meta[2]).type = meta[3];
      else family(meta[2]).help = meta[3];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, , labelText, raw] = m;
    // As Prometheus reads them (Go's ParseFloat): NaN and Inf in any case; prom-client writes "Nan".
    const special: Record<string, number> = { nan: NaN, '+inf': Infinity, inf: Infinity, '-inf': -Infinity };
    const value = raw.toLowerCase() in special ? special[raw.toLowerCase()] : Number(raw);
    if (!(raw.toLowerCase() in special) && !Number.isFinite(value)) throw new Error(`not a value: ${line}`);
    const base = [...families.keys()].find((f) => families.get(f)?.type === 'histogram' && /^(.*)_(bucket|sum|count)$/.exec(name)?.[1] === f) ?? name;
    family(base).samples.push({ name, labels: parseLabels(labelText ?? ''), value });
  }
  return families;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const key = text.slice(i, eq).trim();
    if (text[eq + 1] !== '"') throw new Error(`label ${key} has no quoted value in {${text}}`);
    let j = eq + 2;
    let value = '';
    while (text[j] !== '"') {
      if (j >= text.length) throw new Error(`unterminated label value in {${text}}`);
      if (text[j] === '\\') {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : next;
        j += 2;
      } else value += text[j++];
    }
    labels[key] = value;
    i = j + 1;
    if (text[i] === ',') i++;
  }
  return labels;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when none or several match. */
export function valueOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(name) ?? families.get(name.replace(/_(bucket|sum|count)$/, ''));
  if (!f) throw new Error(`no metric ${name} in the scrape`);
  const hits = f.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}: ${JSON.stringify(f.samples.map((s) => s.labels))}`);
  return hits[0].value;
}

/** GET /metrics with an optional bearer token. */
export async function scrape(baseUrl: string, token?: string): Promise<{ status: number; contentType: string; text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(), ms: Date.now() - started };
}
