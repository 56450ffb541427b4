/**
 * A store file that cannot be used: missing, unreadable, invalid, or built with another feature
 * version. The message names the file and, where one is at fault, the field — enough to act on
 * ("rebuild the store", "restore store.json") without reading code.
 */
export class ArchetypeStoreError extends Error {
  override name = 'ArchetypeStoreError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly field?: string,
  ) {
    super(`${file}: ${field === undefined ? '' : `${field}: `}${reason}`);
  }
}
