/**
 * The two Prometheus HTTP API calls the controller makes: a range query (history) and an instant
 * query (a current allocation). Failures are classified, because they mean different things to an
 * operator: `unreachable` (Prometheus is down or the network is: the recommendation goes stale),
 * `query` (Prometheus answered with an error: the targets file is wrong).
 */
export type PrometheusFailure = 'unreachable' | 'query';

export class PrometheusError extends Error {
  override readonly name = 'PrometheusError';
  readonly kind: PrometheusFailure;

  constructor(kind: PrometheusFailure, message: string) {
    super(message);
    this.kind = kind;
  }
}

export interface RangeQuery {
  readonly query: string;
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
}

export class PrometheusClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;

  constructor(baseUrl: string, timeoutMs: number) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = timeoutMs;
  }

  /** The raw `/api/v1/query_range` response (the service's Prometheus loader validates it). */
  queryRange(q: RangeQuery): Promise<unknown> {
    const params = new URLSearchParams({
      query: q.query,
      start: String(q.start),
      end: String(q.end),
      step: String(q.stepSeconds),
    });
    return this.#get(`/api/v1/query_range?${params}`);
  }

  /** The value of an instant query returning one series. */
  async queryScalar(query: string, at: number): Promise<number> {
    const body = (await this.#get(`/api/v1/query?${new URLSearchParams({ query, time: String(at) })}`)) as {
      data?: { resultType?: string; result?: Array<{ value?: [number, string] }> };
    };
    const result = body.data?.result;
    if (body.data?.resultType !== 'vector' || !Array.isArray(result) || result.length !== 1) {
      throw new PrometheusError(
        'query',
        `${JSON.stringify(query).slice(0, 200)} must return one series, got ${Array.isArray(result) ? result.length : 'no vector'}`,
      );
    }
    const value = Number(result[0].value?.[1]);
    if (!Number.isFinite(value))
      throw new PrometheusError('query', `${JSON.stringify(query).slice(0, 200)} returned a non-finite value`);
    return value;
  }

  async #get(path: string): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new PrometheusError('unreachable', `Prometheus at ${this.baseUrl} did not answer (${cause})`);
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500) {
      throw new PrometheusError('unreachable', `Prometheus at ${this.baseUrl} answered ${response.status}`);
    }
    let body: { status?: string; errorType?: string; error?: string };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new PrometheusError('query', `Prometheus answered ${response.status} with a body that is not JSON`);
    }
    if (body.status !== 'success') {
      throw new PrometheusError(
        'query',
        `Prometheus refused the query: ${body.errorType ?? response.status}: ${body.error ?? ''}`.slice(0, 500),
      );
    }
    return body;
  }
}
