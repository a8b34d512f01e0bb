/**
 * Whether the database is reachable, as the hub's own queries find it, and one log line per
 * outage instead of one per request: "down" once, a summary every interval while it lasts, "back"
 * with the outage's length and count when a query succeeds again.
 */
import { DatabaseError } from './database';

/**
 * SQLSTATE classes and codes, and driver errors, that say "the database cannot serve now" (not
 * "this statement is wrong"): connection exceptions, shutdowns, too many connections, timeouts,
 * a full disk or a read-only data directory.
 */
const UNAVAILABLE_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53000',
  '53100',
  '53200',
  '53300',
  '57014',
  '58000',
  '58030',
  '25006',
  '55P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'ENOSPC',
  'EROFS',
  'EACCES',
  'EIO',
]);
const UNAVAILABLE_MESSAGE =
  /\b(?:ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOSPC|EROFS)\b|connection terminated|timeout exceeded when trying to connect|query read timeout|connection (?:is )?closed|client has encountered a connection error|the database system is (?:starting up|shutting down)|no space left|read-only file system|could not (?:write|extend|fsync)|canceling statement due to statement timeout|terminating connection/i;

/** Faults of the data's storage (a full disk, a read-only or failing data directory): reads still work, writes fail. */
const STORAGE_CODES = new Set(['53100', '58030', '25006', 'ENOSPC', 'EROFS', 'EIO']);
const STORAGE_MESSAGE = /\b(?:ENOSPC|EROFS)\b|no space left|read-only file system|could not (?:write|extend|fsync)/i;

export function isStorageFault(error: DatabaseError): boolean {
  return (error.code !== undefined && STORAGE_CODES.has(error.code)) || STORAGE_MESSAGE.test(error.message);
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) return false;
  if (error.code !== undefined && (UNAVAILABLE_CODES.has(error.code) || error.code.startsWith('08'))) return true;
  return UNAVAILABLE_MESSAGE.test(error.message);
}

export interface HealthLog {
  error(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

export class DatabaseHealth {
  private downSince: number | undefined;
  /**
   * A storage outage (a full disk) ends when the statement that failed succeeds again: reads,
   * and updates that fit in their page, succeed all along on a full disk.
   */
  private storageFault: { statement: string | undefined } | undefined;
  private failuresInOutage = 0;
  private failuresSinceSummary = 0;
  private summary: NodeJS.Timeout | undefined;
  private log: HealthLog | undefined;

  constructor(private readonly summaryIntervalMs: number) {}

  /** Where the outage lines go (the server's logger, once it exists). */
  attach(log: HealthLog): void {
    this.log = log;
  }

  get available(): boolean {
    return this.downSince === undefined;
  }

  /** Seconds a client should wait before trying again, while the database is down. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.summaryIntervalMs / 2000));
  }

  /** A query or transaction failed because the database is unavailable. */
  failed(error: DatabaseError, statement?: string): void {
    this.failuresInOutage += 1;
    this.failuresSinceSummary += 1;
    if (this.downSince !== undefined) return;
    this.downSince = Date.now();
    this.storageFault = isStorageFault(error) ? { statement } : undefined;
    this.log?.error({ err: { message: error.message, code: error.code } }, 'database unavailable: requests get 503 with Retry-After until it answers again');
    this.summary = setInterval(() => {
      if (this.failuresSinceSummary === 0 && this.downSince === undefined) return;
      this.log?.warn({ failures: this.failuresSinceSummary, downForMs: Date.now() - (this.downSince ?? Date.now()) }, 'database still unavailable');
      this.failuresSinceSummary = 0;
    }, this.summaryIntervalMs);
    this.summary.unref();
  }

  /** A query or transaction succeeded: `wrote` when it may have written (anything but a plain read), `statement` its name if it has one. */
  succeeded(wrote: boolean, statement?: string): void {
    if (this.downSince === undefined) return;
    const fault = this.storageFault;
    if (fault && !(wrote && (fault.statement === undefined || fault.statement === statement))) return;
    const downForMs = Date.now() - this.downSince;
    this.log?.info({ downForMs, failures: this.failuresInOutage }, 'database available again');
    this.stop();
  }

  stop(): void {
    clearInterval(this.summary);
    this.summary = undefined;
    this.downSince = undefined;
    this.storageFault = undefined;
    this.failuresInOutage = 0;
    this.failuresSinceSummary = 0;
  }
}
