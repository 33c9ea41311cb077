/**
 * Runs changes one after another in this process: a check ("is this name free?") and the write
 * it allows cannot interleave with another change's. Collectors sharing a database each have
 * their own line, so what must hold across them is checked again where it is read.
 */
export function oneAtATime(): <T>(change: () => Promise<T>) => Promise<T> {
  let queue: Promise<unknown> = Promise.resolve();
  return (change) => {
    const run = queue.then(change, change);
    queue = run.catch(() => {});
    return run;
  };
}
