/**
 * Webhook secrets never rest in plain text. Each is kept twice, both keyed by the hub's secret
 * key: an HMAC (the tenant key, so an inbound signature is looked up without the secret) and an
 * AES-256-GCM ciphertext (so forwarded deliveries can carry the original signature header).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

export class SecretBox {
  private readonly hmacKey: Buffer;
  private readonly encKey: Buffer;

  constructor(secretKey: string) {
    const ikm = Buffer.from(secretKey, 'utf8');
    this.hmacKey = Buffer.from(hkdfSync('sha256', ikm, 'lw-hub', 'tenant-key', 32));
    this.encKey = Buffer.from(hkdfSync('sha256', ikm, 'lw-hub', 'secret-encryption', 32));
  }

  /** The tenant key: HMAC of the normalised webhook secret. */
  tenantKey(webhookSecret: string): string {
    return createHmac('sha256', this.hmacKey).update(webhookSecret, 'utf8').digest('hex');
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
