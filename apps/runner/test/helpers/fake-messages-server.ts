/**
 * A real HTTP server on 127.0.0.1 that speaks just enough of the Anthropic Messages API
 * (POST /v1/messages) for the real SDK client to talk to it. Each request consumes the next
 * scripted scenario; every request is recorded so tests can check what the planner sent.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
}

export type Scenario =
  /** A well-formed message whose content is one tool_use block with this input. */
  | {
      readonly kind: 'tool';
      readonly input: unknown;
      readonly usage?: FakeUsage;
      readonly toolName?: string;
      readonly stopReason?: string;
    }
  /** A well-formed message with only a text block (the model ignored the tool). */
  | { readonly kind: 'text'; readonly text: string; readonly usage?: FakeUsage }
  /** HTTP 200 whose body is not valid JSON. */
  | { readonly kind: 'malformed'; readonly body?: string }
  /** An HTTP error status, optionally with retry-after. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string }
  /** Accepts the request and never answers. */
  | { readonly kind: 'hang' }
  /** A tool reply whose reasoning quotes the request's credentials — a hostile echo. */
  | { readonly kind: 'echo-credentials'; readonly input: Record<string, unknown> };

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: any;
  readonly receivedAt: number;
}

export const DEFAULT_USAGE: FakeUsage = { input_tokens: 1200, output_tokens: 300 };

export class FakeMessagesServer {
  readonly requests: RecordedRequest[] = [];
  readonly #queue: Scenario[] = [];
  readonly #server: Server;
  #messageCount = 0;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<FakeMessagesServer> {
    let self: FakeMessagesServer | undefined;
    const server = createServer((req, res) => {
      void self?.handle(req, res);
    });
    self = new FakeMessagesServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return self;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  enqueue(...scenarios: Scenario[]): this {
    this.#queue.push(...scenarios);
    return this;
  }

  get pending(): number {
    return this.#queue.length;
  }

  async close(): Promise<void> {
    // Hanging requests hold their sockets open; close() alone would wait for them forever.
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Recorded as text; the SDK always sends JSON, so a test would notice.
    }
    this.requests.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body,
      receivedAt: Date.now(),
    });

    if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/messages')) {
      return sendJson(res, 404, errorBody('not_found_error', `no route ${req.method} ${req.url}`), {
        'x-should-retry': 'false',
      });
    }
    const scenario = this.#queue.shift();
    if (scenario === undefined) {
      return sendJson(res, 400, errorBody('invalid_request_error', 'fake server: no scripted response left'), {
        'x-should-retry': 'false',
      });
    }
    const model = (body as { model?: string }).model ?? 'unknown-model';
    switch (scenario.kind) {
      case 'tool':
        return sendJson(
          res,
          200,
          this.message(
            model,
            [this.toolUse(scenario.toolName ?? 'propose_experiments', scenario.input)],
            scenario.usage,
            scenario.stopReason ?? 'tool_use',
          ),
        );
      case 'text':
        return sendJson(
          res,
          200,
          this.message(model, [{ type: 'text', text: scenario.text }], scenario.usage, 'end_turn'),
        );
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          scenario.body ?? '{"id": "msg_cut", "type": "message", "content": [{"type": "tool_use", "input": {"act',
        );
        return;
      case 'status': {
        const headers: Record<string, string> =
          scenario.retryAfter === undefined ? {} : { 'retry-after': scenario.retryAfter };
        const type =
          scenario.status === 429 ? 'rate_limit_error' : scenario.status >= 500 ? 'api_error' : 'invalid_request_error';
        return sendJson(res, scenario.status, errorBody(type, `fake server: scripted ${scenario.status}`), headers);
      }
      case 'hang':
        return; // never answered; close() destroys the socket
      case 'echo-credentials': {
        const leaked = `authorization=${String(req.headers['authorization'])} x-api-key=${String(req.headers['x-api-key'])}`;
        const input = { ...scenario.input, reasoning: `${String(scenario.input['reasoning'] ?? '')} ${leaked}` };
        res.setHeader('x-echo-authorization', String(req.headers['authorization']));
        return sendJson(
          res,
          200,
          this.message(
            model,
            [{ type: 'text', text: leaked }, this.toolUse('propose_experiments', input)],
            undefined,
            'tool_use',
          ),
        );
      }
    }
  }

  private message(model: string, content: unknown[], usage: FakeUsage | undefined, stopReason: string): unknown {
    this.#messageCount++;
    return {
      id: `msg_fake_${this.#messageCount}`,
      type: 'message',
      role: 'assistant',
      model,
      content,
      stop_reason: stopReason,
      stop_sequence: null,
      usage: usage ?? DEFAULT_USAGE,
    };
  }

  private toolUse(name: string, input: unknown): unknown {
    return { type: 'tool_use', id: `toolu_fake_${this.#messageCount + 1}`, name, input };
  }
}

function errorBody(type: string, message: string): unknown {
  return { type: 'error', error: { type, message } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'request-id': `req_fake_${Date.now()}`,
    ...headers,
  });
  res.end(text);
}
