/** What the route plugins share: configuration, storage, secrets, metrics and the limiters. */
import type { DatabaseHealth } from '../../db/health';
import type { HubConfig } from '../../config';
import type { Database } from '../../db/database';
import type { FailureLimiter } from '../failure-limiter';
import type { HubMetrics } from '../../metrics';
import type { SecretBox } from '../../tenants/secrets';
import type { HubStore } from '../../store';
import type { TenantRegistry } from '../../tenants/registry';

export interface RouteDeps {
  config: HubConfig;
  db: Database;
  store: HubStore;
  box: SecretBox;
  metrics: HubMetrics;
  tenants: TenantRegistry;
  /** Unknown webhook signatures, per client address. */
  signatureFailures: FailureLimiter;
  /** Wrong bearer keys (subscription API, metrics), per client address. */
  keyFailures: FailureLimiter;
  /** Whether the database answers; outages are logged there, once. */
  health: DatabaseHealth;
  onEventStored: () => void;
}
