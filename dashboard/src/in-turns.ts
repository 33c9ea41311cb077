/**
 * `work` over every item, at most `limit` at a time, the results in the items' order. The
 * collector gives each user a few reads at a time and a bounded queue (429 beyond): a page
 * that reads one figure per website asks in turns rather than all at once.
 */
export async function inTurns<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
