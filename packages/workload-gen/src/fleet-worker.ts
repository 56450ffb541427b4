/**
 * Worker-thread entry: generates the tenants the pool asks for and sends their buffers back
 * (transferred, not copied). Tenants are pure functions of (seed, index), so which thread
 * generates one makes no difference to its bytes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FleetOptions } from './fleet.js';
import { FLEET_DOMAIN } from './seed-domains.js';
import { TenantGenerator } from './tenant-generator.js';
import { drawTenantParams } from './tenant-params.js';

export interface WorkerRequest {
  readonly index: number;
}
export interface WorkerReply {
  readonly index: number;
  readonly cpu: Float32Array;
  readonly mem: Float32Array;
  readonly net: Float32Array;
  readonly disk: Float32Array;
  readonly spikeCount: number;
}

const port = parentPort;
if (!port) throw new Error('fleet-worker.ts must run in a worker thread');
const fleet = workerData as FleetOptions;
const generator = new TenantGenerator({ start: fleet.start, stepMs: fleet.stepMs, length: fleet.length });
const draw = fleet.utcOffsetsMinutes ? { utcOffsetsMinutes: fleet.utcOffsetsMinutes } : {};

port.on('message', ({ index }: WorkerRequest) => {
  const t = generator.generate(drawTenantParams(fleet.seed, index, draw), {
    domain: FLEET_DOMAIN,
    seed: fleet.seed,
    index,
  });
  const { cpu, mem, net, disk } = t.metrics;
  const reply: WorkerReply = { index, cpu, mem, net, disk, spikeCount: t.spikeCount };
  port.postMessage(reply, [cpu.buffer, mem.buffer, net.buffer, disk.buffer] as ArrayBuffer[]);
});
