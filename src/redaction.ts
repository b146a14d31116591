/**
 * Keeps secrets (tokens, database URLs) out of log lines and Slack messages.
 * Secrets are registered once at start-up; every outgoing text goes through redactText.
 */
const secrets = new Set<string>();
const REDACTED = '[redacted]';
/** What stands in for an object met again inside itself. */
export const CIRCULAR = '[circular]';
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

/**
 * Deep copy of a JSON-like value with every string redacted. An Error becomes a plain object that
 * keeps its type, message, code, stack and cause (they are not enumerable, so a plain copy loses
 * them); an object met again inside itself becomes "[circular]".
 */
export function redactDeep<T>(value: T): T {
  return copy(value, new Set()) as T;
}

function copy(value: unknown, path: Set<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (!value || typeof value !== 'object' || value instanceof Date) return value;
  if (path.has(value)) return CIRCULAR;
  path.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => copy(v, path));
    const out: Record<string, unknown> = value instanceof Error ? errorFields(value) : {};
    for (const [k, v] of Object.entries(value)) out[k] = v;
    for (const k of Object.keys(out)) out[k] = copy(out[k], path);
    return out;
  } finally {
    path.delete(value);
  }
}

/** The fields of an Error that are own but not enumerable, in the shape pino's serializer gives them. */
function errorFields(e: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { type: e.constructor?.name ?? e.name, message: e.message, stack: e.stack };
  if (e.name !== fields.type) fields.name = e.name;
  const { code, cause, errors } = e as Error & { code?: unknown; errors?: unknown };
  if (code !== undefined) fields.code = code;
  if (cause !== undefined) fields.cause = cause;
  if (Array.isArray(errors)) fields.errors = errors;
  return fields;
}
