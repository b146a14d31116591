import axios, { AxiosError } from 'axios';

/** Why a health source could not be read: each of these makes its check "unknown" (or "fail" for a bad token). */
export class SourceError extends Error {
  constructor(
    readonly kind: 'timeout' | 'unreachable' | 'rate-limited' | 'unauthorized' | 'server-error' | 'http' | 'malformed',
    message: string,
  ) {
    super(message);
    this.name = 'SourceError';
  }
}

export interface JsonRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  params?: Record<string, string | number>;
  body?: unknown;
  timeoutMs: number;
  /** False: a 3xx is an error, never followed (a redirect would re-send the body and its headers elsewhere). */
  followRedirects?: boolean;
}

/** One JSON request with a hard timeout; every failure becomes a SourceError that says what happened. */
export async function requestJson<T>(req: JsonRequest): Promise<T> {
  let res;
  try {
    res = await axios.request<string>({
      method: req.method ?? 'GET',
      url: req.url,
      headers: { Accept: 'application/json', ...req.headers },
      params: req.params,
      data: req.body,
      timeout: req.timeoutMs,
      signal: AbortSignal.timeout(req.timeoutMs + 100),
      responseType: 'text',
      transformResponse: (d) => d,
      validateStatus: () => true,
      maxRedirects: req.followRedirects === false ? 0 : 3,
    });
  } catch (e) {
    const err = e as AxiosError;
    if (err.code === 'ECONNABORTED' || err.code === 'ERR_CANCELED' || err.code === 'ETIMEDOUT') throw new SourceError('timeout', `no answer within ${req.timeoutMs} ms`);
    throw new SourceError('unreachable', err.message);
  }
  if (res.status === 429) throw new SourceError('rate-limited', `rate limited (429${res.headers['retry-after'] ? `, retry after ${res.headers['retry-after']} s` : ''})`);
  if (res.status === 401 || res.status === 403) throw new SourceError('unauthorized', `HTTP ${res.status}: ${snippet(res.data)}`);
  if (res.status >= 500) throw new SourceError('server-error', `HTTP ${res.status}`);
  if (res.status >= 300) throw new SourceError('http', `HTTP ${res.status}: ${snippet(res.data)}`);
  try {
    return JSON.parse(res.data) as T;
  } catch {
    throw new SourceError('malformed', `not JSON: ${snippet(res.data)}`);
  }
}

function snippet(s: unknown): string {
  return String(s ?? '').replace(/\s+/g, ' ').slice(0, 120);
}
