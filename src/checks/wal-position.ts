/** A WAL position ("16/B374D848") as a number of bytes. */
export function lsnBytes(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
}

/** Bytes from `behind` to `ahead`; never negative (a standby can report a position past a stale source read). */
export function lsnDistance(ahead: string, behind: string): number {
  const d = lsnBytes(ahead) - lsnBytes(behind);
  return d > 0n ? Number(d) : 0;
}
