/**
 * A service's base URL joined with an API path, the base's own path kept:
 * joinUrl('https://proxy.example/rollbar/', '/api/1/deploy') → https://proxy.example/rollbar/api/1/deploy.
 * (`new URL('/api/1/deploy', base)` would drop '/rollbar': a proxy or path prefix would break.)
 * The base's query string, if any, is kept too.
 */
export function joinUrl(base: string, path: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  return u.toString();
}
