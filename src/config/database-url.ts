/**
 * What is wrong with a database URL, in words that never repeat the URL (it carries a password):
 * undefined when it is a postgres:// URL naming a host and a database.
 */
export function databaseUrlProblem(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return 'is not set';
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'is not a URL (the form is postgres:// with user, password, host, port and /database)';
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return 'must start with postgres:// or postgresql://';
  // libpq also takes the host (a socket directory too) and the database name as parameters.
  if (!url.hostname && !url.searchParams.get('host')) return 'names no host (the part after @)';
  if (!decodes(url.username) || !decodes(url.password)) return 'has a malformed %-escape in its user name or password (a literal % is written %25)';
  if (!decodes(url.pathname)) return 'has a malformed %-escape in its database name';
  if (!decodeURIComponent(url.pathname.slice(1)) && !url.searchParams.get('dbname')) return 'names no database (the /name after the host and port)';
  return undefined;
}

function decodes(s: string): boolean {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}
