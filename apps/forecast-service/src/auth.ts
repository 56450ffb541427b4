/**
 * Optional bearer-token auth. The token is read from a file (a Kubernetes Secret mounted as a
 * volume), never from a flag, so it does not show up in `ps` or in the pod spec.
 *
 * Comparison is constant-time over SHA-256 digests: timingSafeEqual needs equal lengths, and
 * hashing first means neither the token's length nor its prefix leaks through response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

export class BearerAuth {
  readonly #digest: Buffer;

  constructor(token: string) {
    if (token.length === 0) throw new Error('the auth token is empty');
    this.#digest = digest(token);
  }

  /** The token file holds the token; surrounding whitespace (a trailing newline) is ignored. */
  static fromFile(path: string): BearerAuth {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new Error(
        `cannot read the auth token file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    const token = text.trim();
    if (token.length === 0) throw new Error(`the auth token file ${path} is empty`);
    return new BearerAuth(token);
  }

  /** Whether an Authorization header value carries the token. */
  accepts(header: string | undefined): boolean {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
    // Still hash and compare on a malformed header, so its handling costs the same.
    return timingSafeEqual(digest(match?.[1] ?? ''), this.#digest) && match !== null;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
