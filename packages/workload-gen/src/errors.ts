/** Errors a user can act on: every message names the file (and field or line) at fault. */
export class FleetFormatError extends Error {
  override name = 'FleetFormatError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}
