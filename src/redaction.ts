/**
 * Keeps secrets (tokens, database URLs) out of log lines and Slack messages.
 * Secrets are registered once at start-up; every outgoing text goes through redactText.
 */
const secrets = new Set<string>();
const REDACTED = '[redacted]';
// scheme://user:password@host → scheme://[redacted]@host, whatever the scheme.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

export function registerSecrets(values: Iterable<string | undefined>): void {
  for (const v of values) {
    // Very short values would redact ordinary words; they are not real secrets anyway.
    if (v && v.length >= 6) secrets.add(v);
  }
}

export function redactText(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/** Deep copy of a JSON-like value with every string redacted. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}
