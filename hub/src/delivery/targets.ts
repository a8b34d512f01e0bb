/**
 * The allow-list for subscription target URLs, so the hub never becomes a way to make requests
 * to arbitrary hosts. Each rule is an origin: `https://hooks.zapier.com`, `http://127.0.0.1:4000`,
 * or `http://127.0.0.1:*` (any port). No wildcards in host names.
 */
export interface TargetRule {
  protocol: 'http:' | 'https:';
  hostname: string;
  /** Explicit port, '' for the scheme's default, '*' for any. */
  port: string;
}

export function parseAllowedTargets(list: string): TargetRule[] {
  const entries = list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error('needs at least one origin, such as https://hooks.zapier.com');
  return entries.map((raw) => {
    // Never echo an entry's credentials back in an error message.
    const entry = raw.replace(/\/\/[^/@\s]*@/g, '//***@');
    if (entry !== raw) throw new Error(`"${entry}" must not carry credentials (an origin only: scheme, host, optional port)`);
    const anyPort = entry.endsWith(':*');
    let url: URL;
    try {
      url = new URL(anyPort ? entry.slice(0, -2) : entry);
    } catch {
      throw new Error(`"${entry}" is not an origin such as https://hooks.zapier.com`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${entry}" must use http or https`);
    if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.username || url.password) {
      throw new Error(`"${entry}" must be an origin only (scheme, host, optional port)`);
    }
    return { protocol: url.protocol, hostname: url.hostname.toLowerCase(), port: anyPort ? '*' : url.port };
  });
}

/**
 * The one spelling of a target URL that is stored and compared: lowercase scheme and host, no
 * default port (`HOOKS.zapier.com:443` and `hooks.zapier.com` are the same Zap). Call after
 * `targetRefusal` said it is allowed.
 */
export function normaliseTarget(target: string): string {
  return new URL(target).href;
}

/** Why a target URL is refused, or undefined when it is allowed. */
export function targetRefusal(target: string, rules: TargetRule[]): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'target_url is not a URL';
  }
  if (url.username || url.password) return 'target_url must not carry credentials';
  if (url.hash) return 'target_url must not have a #fragment';
  const allowed = rules.some(
    (rule) => rule.protocol === url.protocol && rule.hostname === url.hostname.toLowerCase() && (rule.port === '*' || rule.port === url.port),
  );
  if (!allowed) {
    const origins = rules.map((r) => `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}`).join(', ');
    return `target_url must be on an allowed origin (${origins})`;
  }
  return undefined;
}
