/** The schools (tenants) in the database: stored, listed, and announced to every process. */
import type { Database } from '../db/database';

/**
 * The channel on which processes announce new schools to each other (PostgreSQL). NOTIFY is
 * database-wide: hubs in other schemas of the same database (other deployments, or parallel
 * tests) must not hear this one's schools, so the name carries a digest of the schema.
 */
const TENANTS_CHANNEL_SQL = `'hub_tenants_' || left(md5(current_schema()), 16)`;

export class TenantStore {
  constructor(private readonly db: Database) {}

  /** Stores a school and tells every other process of this schema (NOTIFY on channel()) that it exists. */
  async upsert(tenantKey: string, secretEnc: string, schoolUrl: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO tenants (tenant_key, secret_enc, school_url) VALUES ($1, $2, $3)
         ON CONFLICT (tenant_key) DO UPDATE SET school_url = EXCLUDED.school_url`,
        [tenantKey, secretEnc, schoolUrl],
      );
      await tx.query(`SELECT pg_notify(${TENANTS_CHANNEL_SQL}, $1)`, [tenantKey]);
    });
  }

  /** The channel new schools of this schema are announced on. */
  async channel(): Promise<string> {
    const { rows } = await this.db.query<{ channel: string }>(`SELECT ${TENANTS_CHANNEL_SQL} AS channel`);
    return rows[0].channel;
  }

  /** Every school's tenant key (a small set: one per school), for the in-memory check. */
  async keys(): Promise<string[]> {
    const { rows } = await this.db.query<{ tenant_key: string }>('SELECT tenant_key FROM tenants');
    return rows.map((r) => r.tenant_key);
  }
}
