/**
 * A TCP proxy between the hub and PostgreSQL that a fault test controls: cut every connection,
 * refuse new ones (nothing listens), or black-hole them (accepted, nothing ever answered).
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private blackholed = false;
  port = 0;

  constructor(
    private readonly upstreamHost: string,
    private readonly upstreamPort: number,
  ) {}

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  private listen(): Promise<void> {
    const server = createServer((client) => {
      this.track(client);
      if (this.blackholed) return; // accepted, never answered
      const upstream = connect(this.upstreamPort, this.upstreamHost);
      this.track(upstream);
      client.on('data', (chunk: Buffer) => {
        if (!this.blackholed) upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (!this.blackholed) client.write(chunk);
      });
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    this.server = server;
    return new Promise((resolve) =>
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** A PostgreSQL URL through this proxy, with the given one's credentials, database and options. */
  url(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Every open connection is cut (as a failover or a network reset would). */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** New connections are refused: nothing listens on the port. */
  async refuse(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    // close() stops accepting at once; its callback would wait for the open connections.
    if (server)
      await new Promise<void>((resolve) => {
        server.close();
        setImmediate(resolve);
      });
  }

  /** Connections are accepted and forwarded again. */
  async restore(): Promise<void> {
    this.blackholed = false;
    if (!this.server) await this.listen();
  }

  /** Connections, open and new, are held open and never answered (a hung database or a dropped route). */
  blackhole(): void {
    this.blackholed = true;
  }

  async stop(): Promise<void> {
    this.cutAll();
    await this.refuse();
  }
}
