/**
 * npm run bench: the integration's speed goals, measured side by side in one run.
 *  1. The shared perform pipeline (signature, parse, guard, filters, normalise: evaluateDelivery)
 *     per event vs JSON.parse of the same body. Goal: at most 3×. (The per-Zap dedupe after it is
 *     a z.cache round trip to Zapier, I/O rather than CPU, and is not part of this figure.)
 *  2. Loading the built app vs loading zapier-platform-core alone. Goal: at most 1.2×.
 *  3. build/build.zip size.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from 'zapier-platform-core';
import { LEARNWORLDS_EVENT_TYPES, specByKey, EVENT_CATALOGUE } from '../src/catalogue';
import { evaluateDelivery } from '../src/webhooks/hook-perform';
import { VENDOR_PAYLOADS } from '../contract/payloads';
import { median, nsPerOp } from './stats';

const ROOT = join(__dirname, '..', '..');
const SECRET = 'e8fad5b079d0977f61bc2d21fc5f461719e6478df7de56';

async function pipelineRows(): Promise<Array<{ event: string; pipelineNs: number; parseNs: number; ratio: number }>> {
  const rows = [];
  for (const type of LEARNWORLDS_EVENT_TYPES) {
    const spec = EVENT_CATALOGUE.find((s) => s.type === type) ?? specByKey('any_event');
    const raw = JSON.stringify(VENDOR_PAYLOADS[type]);
    // cleanedRequest absent: the pipeline parses the raw body itself, as the fallback path does.
    const bundle = {
      authData: { webhook_secret: SECRET },
      inputData: {},
      rawRequest: { headers: { 'Http-Learnworlds-Webhook-Signature': `v1=${SECRET}`, 'Http-Webhook-Id': 'whd_1' }, content: raw },
      subscribeData: { id: 'sub' },
      meta: {},
    } as unknown as Bundle;
    // Interleave the two measurements so machine noise hits both alike.
    const pipeline: number[] = [];
    const parse: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      parse.push(nsPerOp(() => JSON.parse(raw), 3, 1000));
      pipeline.push(nsPerOp(() => evaluateDelivery(spec, bundle), 3, 1000));
    }
    const pipelineNs = median(pipeline);
    const parseNs = median(parse);
    rows.push({ event: type, pipelineNs, parseNs, ratio: pipelineNs / parseNs });
  }
  return rows;
}

function loadMs(code: string): number {
  const out = execFileSync(
    process.execPath,
    ['-e', `const t=process.hrtime.bigint();${code};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`],
    { cwd: ROOT },
  );
  return Number(out.toString());
}

function loadRows(): { appMs: number; coreMs: number; ratio: number } {
  const app: number[] = [];
  const core: number[] = [];
  for (let i = 0; i < 15; i += 1) {
    core.push(loadMs("require('zapier-platform-core')"));
    app.push(loadMs("require('./index.js')"));
  }
  const appMs = median(app);
  const coreMs = median(core);
  return { appMs, coreMs, ratio: appMs / coreMs };
}

async function main(): Promise<void> {
  console.log(`node ${process.version}; medians of interleaved rounds\n`);
  const rows = await pipelineRows();
  console.log('1. perform pipeline vs JSON.parse of the same body (goal ≤ 3×)');
  console.log('event'.padEnd(34) + 'pipeline µs'.padStart(12) + 'JSON.parse µs'.padStart(15) + 'ratio'.padStart(8));
  for (const r of rows) {
    console.log(
      r.event.padEnd(34) + (r.pipelineNs / 1000).toFixed(1).padStart(12) + (r.parseNs / 1000).toFixed(1).padStart(15) + `${r.ratio.toFixed(2)}×`.padStart(8),
    );
  }
  const ratios = rows.map((r) => r.ratio);
  console.log(`median ratio ${median(ratios).toFixed(2)}×, worst ${Math.max(...ratios).toFixed(2)}×\n`);

  const load = loadRows();
  console.log('2. load time (goal ≤ 1.2×)');
  console.log(`built app ${load.appMs.toFixed(1)} ms vs zapier-platform-core alone ${load.coreMs.toFixed(1)} ms: ${load.ratio.toFixed(2)}×\n`);

  const zip = join(ROOT, 'build', 'build.zip');
  console.log('3. build.zip');
  console.log(existsSync(zip) ? `${(statSync(zip).size / 1024).toFixed(0)} KiB (${zip})` : 'build/build.zip missing: run npm run build:zip first');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
