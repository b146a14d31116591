/**
 * A service's base URL joined with an API path, the base's own path kept:
 * joinUrl('https://proxy.example/rollbar/', '/api/1/deploy') → https://proxy.example/rollbar/api/1/deploy.
 * (`new URL('/api/1/deploy', base)` would drop '/rollbar': a proxy or path prefix would break.)
 * The base's query string, if any, is kept too. The path stays under the base: a '.' or '..'
 * segment (which URL would resolve, climbing out of the prefix) is refused.
 */
export function joinUrl(base: string, path: string): string {
  const u = new URL(base);
  const tail = path.replace(/^\/+/, '');
  if (tail.split(/[/\\]/).some((s) => /^(\.|%2e){1,2}$/i.test(s))) throw new Error(`the API path ${path} has a dot segment: refused, it would climb out of the base URL's path`);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${tail}`;
  return u.toString();
}
