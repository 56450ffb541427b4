/** zod → ApiError: one FieldIssue per zod issue, the path dotted (`history.cpu`, `current.mem`). */
import type { z } from 'zod';
import { ApiError, type FieldIssue } from '../api-error.js';
import { describe } from './schemas.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.badRequest([{ field: '(body)', message: `must be a JSON object, got ${describe(body)}` }]);
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues: FieldIssue[] = parsed.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') {
      return {
        field: i.path.length > 0 ? i.path.join('.') : '(body)',
        message: `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')} (check the spelling; see docs/service.md)`,
      };
    }
    return { field: i.path.length > 0 ? i.path.join('.') : '(body)', message: i.message };
  });
  throw ApiError.badRequest(issues);
}
