/** Milliseconds per minute, hour and day: the units of every timestamp and step in the workspace. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
