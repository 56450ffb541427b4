/**
 * Epoch milliseconds with sub-millisecond resolution, comparable between the HTTP thread and the
 * worker threads (each thread's performance.now() counts from its own start).
 */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}
