const BARS = '▁▂▃▄▅▆▇█';

/** A one-line text chart of the values (null drawn as a gap), for where an image cannot go. */
export function sparkline(values: (number | null)[], width = 40): string {
  if (!values.length) return '';
  const step = Math.max(1, Math.ceil(values.length / width));
  const buckets: (number | null)[] = [];
  for (let i = 0; i < values.length; i += step) {
    const chunk = values.slice(i, i + step).filter((v): v is number => v !== null);
    buckets.push(chunk.length ? Math.max(...chunk) : null);
  }
  const known = buckets.filter((v): v is number => v !== null);
  const max = Math.max(...known, 0);
  return buckets.map((v) => (v === null ? ' ' : BARS[max === 0 ? 0 : Math.min(7, Math.floor((v / max) * 7.999))])).join('');
}
