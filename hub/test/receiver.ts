/** A stand-in for Zapier's hook endpoint on 127.0.0.1: records every request, answers as told, can hold answers. */
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type JsonObject, isJsonObject } from '../../contract';
import { atCleanup } from './cleanups';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** When it arrived (Date.now()). */
  receivedAt: number;
}

export type Responder = (request: ReceivedRequest, nth: number) => number | { status: number; delayMs?: number; headers?: Record<string, string> } | 'hang';

/** A stand-in for Zapier's hook endpoint on 127.0.0.1. */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private server?: Server;
  private readonly counts = new Map<string, number>();
  /** Requests held unanswered (see hold()), in arrival order. */
  private readonly held: Array<() => void> = [];
  private holding = false;
  constructor(private responder: Responder = () => 200) {}

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  /** From now on, requests are received but not answered until release(): a send stays in flight as long as a test needs. */
  hold(): void {
    this.holding = true;
  }

  /** How many requests are held unanswered now. */
  get heldCount(): number {
    return this.held.length;
  }

  /** Answers every held request (by the responder) and stops holding. */
  release(): void {
    this.holding = false;
    for (const answer of this.held.splice(0)) answer();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), receivedAt: Date.now() };
        this.requests.push(received);
        const nth = (this.counts.get(received.path) ?? 0) + 1;
        this.counts.set(received.path, nth);
        const respond = () => {
          const answer = this.responder(received, nth);
          if (answer === 'hang') return;
          const { status, delayMs = 0, headers = {} } = typeof answer === 'number' ? { status: answer } : answer;
          setTimeout(() => res.writeHead(status, headers).end('{}'), delayMs);
        };
        if (this.holding) this.held.push(respond);
        else respond();
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    atCleanup(() => this.stop());
    return this;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  to(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** The JSON body of a forwarded request, as an object ({} when it is not one). */
export function jsonBodyOf(body: Buffer | Uint8Array): JsonObject {
  const parsed: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
  return isJsonObject(parsed) ? parsed : {};
}
