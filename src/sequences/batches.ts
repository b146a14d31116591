/**
 * Runs `work` on each batch of `items`, `lanes` batches at a time (each on its own pooled
 * connection): the server's cores work side by side, and a remote database's round trips overlap.
 */
export async function inBatches<T>(items: T[], size: number, lanes: number, work: (batch: T[], offset: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const from = next;
      next += size;
      await work(items.slice(from, from + size), from);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, Math.ceil(items.length / size)) }, lane));
}
