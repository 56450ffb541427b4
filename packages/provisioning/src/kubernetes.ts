/**
 * The recommendation as Kubernetes sees it: VPA's `status.recommendation.containerRecommendations`
 * shape, with resources named `cpu` / `memory` and quantities in Kubernetes units ("250m",
 * "512Mi"), so the output can be compared with, or patched into, a VerticalPodAutoscaler.
 *
 * Quantities are rounded UP (a recommendation must not shrink in translation): cpu to whole
 * millicores, memory to whole MiB (whole KiB below 1 MiB). Which metric is cpu and which memory,
 * and their units, come from options.kubernetes: nothing else in a recommendation says so.
 */
import type { KubernetesOptions } from './options.js';
import type { VpaRecommendation } from './recommender.js';

export type ResourceList = Readonly<Partial<Record<'cpu' | 'memory', string>>>;

export interface ContainerRecommendation {
  readonly containerName: string;
  readonly target: ResourceList;
  readonly lowerBound: ResourceList;
  readonly upperBound: ResourceList;
  readonly uncappedTarget: ResourceList;
}

export interface KubernetesRecommendation {
  readonly containerRecommendations: readonly ContainerRecommendation[];
}

const BYTES: Readonly<Record<string, number>> = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

/** A cpu amount as a Kubernetes quantity: whole cores as "2", else millicores "1500m" (rounded up). */
export function cpuQuantity(value: number, unit: 'cores' | 'millicores'): string {
  const milli = Math.ceil((unit === 'cores' ? value * 1000 : value) - 1e-9);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** A memory amount as a Kubernetes quantity: "512Mi", or "300Ki" below 1 MiB (rounded up). */
export function memoryQuantity(value: number, unit: 'bytes' | 'KiB' | 'MiB' | 'GiB'): string {
  const bytes = value * BYTES[unit];
  if (bytes < 1024 ** 2) return `${Math.ceil(bytes / 1024 - 1e-9)}Ki`;
  const mi = Math.ceil(bytes / 1024 ** 2 - 1e-9);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

export function kubernetesView(vpa: VpaRecommendation, options: KubernetesOptions): KubernetesRecommendation {
  const list = (values: Readonly<Record<string, number>>): ResourceList => {
    // Own keys only: a metric named like an Object.prototype member must not read a function.
    const read = (metric: string) => (Object.hasOwn(values, metric) ? values[metric] : undefined);
    const out: { cpu?: string; memory?: string } = {};
    const cpu = options.cpu === undefined ? undefined : read(options.cpu.metric);
    if (options.cpu !== undefined && cpu !== undefined) out.cpu = cpuQuantity(cpu, options.cpu.unit);
    const memory = options.memory === undefined ? undefined : read(options.memory.metric);
    if (options.memory !== undefined && memory !== undefined) out.memory = memoryQuantity(memory, options.memory.unit);
    return out;
  };
  return {
    containerRecommendations: [
      {
        containerName: options.containerName,
        target: list(vpa.target),
        lowerBound: list(vpa.lowerBound),
        upperBound: list(vpa.upperBound),
        uncappedTarget: list(vpa.uncappedTarget),
      },
    ],
  };
}
