/**
 * The set of known schools (tenant keys), in memory in every process, so an unknown signature
 * is refused without a database query. Kept fresh across processes by NOTIFY (PostgreSQL), a
 * reload after a lost listening connection, and a periodic reload as a safety net. Tenants are
 * never deleted, so the set only grows.
 */
import type { Database } from '../db/database';
import type { TenantStore } from './tenant-store';

const RELOAD_EVERY_MS = 60_000;

export class TenantRegistry {
  private readonly keys = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tenants: TenantStore,
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
  ) {}

  async start(): Promise<void> {
    await this.reload();
    if (this.db.kind !== 'postgres') return; // one process: every new tenant is added here
    await this.db.listen(
      await this.tenants.channel(),
      (key) => this.keys.add(key),
      () => void this.reload().catch(this.onError),
    );
    this.timer = setInterval(() => void this.reload().catch(this.onError), RELOAD_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async reload(): Promise<void> {
    for (const key of await this.tenants.keys()) this.keys.add(key);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  add(key: string): void {
    this.keys.add(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
