/** Runs `task` over `items` with at most `parallelism` in flight, as the engine schedules steps. */
export async function pool<T>(
  items: T[],
  parallelism: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, items.length) }, lane));
}
