/**
 * Every error leaves the service as JSON `{ error, message, field?, issues? }` with a 4xx/5xx
 * status that says who has to act: 4xx the caller (the message names the field), 5xx us.
 * Library errors (Fastify's body parser, the harness, the provisioning package, the Prometheus
 * loader) are translated here, in one place, so routes only throw.
 */
import { HarnessError } from '@tsfm/harness';
import { ProvisioningError } from '@tsfm/provisioning';
import { LoadError } from '@tsfm/workload-gen';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly field?: string;
  readonly issues?: readonly FieldIssue[];
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly issues: readonly FieldIssue[] | undefined;

  constructor(
    statusCode: number,
    code: string,
    message: string,
    options: { field?: string; issues?: readonly FieldIssue[] } = {},
  ) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
    this.field = options.field ?? options.issues?.[0]?.field;
    this.issues = options.issues;
  }

  static badRequest(issues: readonly FieldIssue[]): ApiError {
    return new ApiError(400, 'bad-request', issues.map((i) => `${i.field}: ${i.message}`).join('; '), { issues });
  }
}

/** Fastify's own errors that are the caller's fault, by code. */
const FASTIFY_CLIENT_ERRORS: Readonly<Record<string, { status: number; error: string; message?: string }>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    error: 'unsupported-media-type',
    message: 'send the body as JSON with content-type: application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, error: 'bad-request' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, error: 'payload-too-large' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, error: 'bad-request', message: 'the body is empty; send a JSON object' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, error: 'bad-request' },
  FST_ERR_BAD_URL: { status: 400, error: 'bad-request' },
};

/**
 * Node's HTTP parser errors (malformed requests, header overflow, request smuggling attempts,
 * timeouts) never reach Fastify's error handler: they are written to the raw socket here, in the
 * same JSON shape as every other error, and the connection is closed.
 */
export function clientErrorResponse(error: { code?: string }): { status: number; body: ErrorBody } {
  switch (error.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        body: { error: 'request-timeout', message: 'the request (headers and body) did not arrive in time' },
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        body: { error: 'headers-too-large', message: 'the request headers exceed the size limit' },
      };
    default:
      return {
        status: 400,
        body: {
          error: 'bad-request',
          message: `malformed HTTP request${error.code ? ` (${error.code})` : ''}; the connection is closed`,
        },
      };
  }
}

export function toErrorResponse(error: unknown, bodyLimit: number): { status: number; body: ErrorBody } {
  if (error instanceof ApiError) {
    return {
      status: error.statusCode,
      body: {
        error: error.code,
        message: error.message,
        ...(error.field ? { field: error.field } : {}),
        ...(error.issues ? { issues: error.issues } : {}),
      },
    };
  }
  if (error instanceof ProvisioningError) {
    const issues = error.issues.map((i) => ({ field: i.path, message: i.message }));
    return toErrorResponse(ApiError.badRequest(issues), bodyLimit);
  }
  if (error instanceof HarnessError) {
    const field = typeof error.details.field === 'string' ? error.details.field : undefined;
    const message = error.message.replace(/^[a-z-]+: /, '');
    switch (error.code) {
      case 'bad-request':
        return { status: 400, body: { error: 'bad-request', message, ...(field ? { field } : {}) } };
      case 'insufficient-data':
        // Well formed, but nothing to forecast from: 422 tells the caller not to retry as is.
        return {
          status: 422,
          body: {
            error: 'insufficient-data',
            message,
            ...(typeof error.details.metric === 'string' ? { field: `history.${error.details.metric}` } : {}),
          },
        };
      case 'model-failure':
        return { status: 503, body: { error: 'model-failure', message } };
      default:
        return { status: 500, body: { error: 'internal', message } };
    }
  }
  if (error instanceof LoadError) {
    const field = error.field === undefined || error.field === '(root)' ? 'prometheus' : `prometheus.${error.field}`;
    return { status: 400, body: { error: 'bad-request', message: `prometheus: ${error.reason}`, field } };
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code in FASTIFY_CLIENT_ERRORS) {
    const known = FASTIFY_CLIENT_ERRORS[code];
    const message =
      code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `the body exceeds the ${bodyLimit}-byte limit; send less history (or start the service with a larger --body-limit)`
        : code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH'
          ? `the body is not valid JSON: ${(error as Error).message}`
          : (known.message ?? (error as Error).message);
    return { status: known.status, body: { error: known.error, message } };
  }
  const status = (error as { statusCode?: unknown }).statusCode;
  // A SyntaxError from the JSON parser (Fastify marks it 400) and any other client-side error it raised.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: { error: status === 400 ? 'bad-request' : 'client-error', message: (error as Error).message },
    };
  }
  return { status: 500, body: { error: 'internal', message: 'internal error; the service logged the details' } };
}
