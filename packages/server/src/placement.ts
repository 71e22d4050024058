/**
 * Heterogeneous hardware: what each worker offers (cores, memory, GPUs read from
 * `nvidia-smi`) and where a deployment's replicas may go. Parsing and placement are pure
 * and tested with fake device listings; `detectGpus` is the one place that runs a command.
 */
import { execFile } from 'node:child_process';
import type { ResourceNeeds } from '@slipway/core';

export interface GpuDevice {
  index: number;
  name: string;
  memoryTotalBytes: number;
  memoryFreeBytes: number;
}

/** What a worker advertises. */
export interface WorkerResources {
  id: string;
  cores: number;
  /** Memory replicas may use on it (the model memory budget). */
  memoryBytes: number;
  gpus: GpuDevice[];
}

/** The query `detectGpus` runs; `parseNvidiaSmi` reads its answer. */
export const NVIDIA_SMI_ARGS = ['--query-gpu=index,name,memory.total,memory.free', '--format=csv'] as const;

const MiB = 2 ** 20;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** A memory cell: `81559 MiB` (csv), `81559` (nounits: MiB). */
function memoryCell(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(MiB|GiB)?$/i.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * ((m[2] ?? 'MiB').toLowerCase() === 'gib' ? 1024 * MiB : MiB));
}

/**
 * Reads `nvidia-smi --query-gpu=index,name,memory.total,memory.free --format=csv` output
 * (with or without the header line and units). Lines that do not parse (`[N/A]`, driver
 * warnings) are skipped: a GPU whose memory is unknown is not offered.
 */
export function parseNvidiaSmi(text: string): GpuDevice[] {
  const gpus: GpuDevice[] = [];
  for (const line of text.split(/\r?\n/)) {
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 4 || !/^\d+$/.test(cells[0] ?? '')) continue;
    // A name may itself contain commas: the two memory cells are the last two.
    const total = memoryCell(cells[cells.length - 2] ?? '');
    const free = memoryCell(cells[cells.length - 1] ?? '');
    if (total === undefined || free === undefined) continue;
    gpus.push({ index: Number(cells[0]), name: cells.slice(1, -2).join(','), memoryTotalBytes: total, memoryFreeBytes: free });
  }
  return gpus;
}

/** The GPUs of this machine: none when `nvidia-smi` is absent or fails. */
export function detectGpus(command = 'nvidia-smi', timeoutMs = 5000): Promise<GpuDevice[]> {
  return new Promise((resolve) => {
    execFile(command, [...NVIDIA_SMI_ARGS], { timeout: timeoutMs }, (error, stdout) => resolve(error ? [] : parseNvidiaSmi(stdout)));
  });
}

export type PlacementResult = { ok: true; worker: string; executionProviders: string[] } | { ok: false; reason: string };

/** onnxruntime's execution providers for a replica: CUDA first (CPU for the ops it lacks) when it asks for a GPU and gets one. */
export function executionProvidersFor(needs: Pick<ResourceNeeds, 'accelerator'>, worker: Pick<WorkerResources, 'gpus'>): string[] {
  return needs.accelerator === 'gpu' && worker.gpus.length > 0 ? ['cuda', 'cpu'] : ['cpu'];
}

/**
 * The worker a replica with these needs fits on (the one with the most memory, then the
 * most free GPU memory), or why it fits nowhere: `unschedulable: needs gpu, none available`.
 */
export function placeDeployment(needs: ResourceNeeds, workers: readonly WorkerResources[]): PlacementResult {
  const memory = needs.memory ?? 0;
  const gpuMemory = needs.gpuMemory ?? 0;
  const wantsGpu = needs.accelerator === 'gpu';
  if (workers.length === 0) return { ok: false, reason: 'unschedulable: no workers' };
  const freeGpu = (w: WorkerResources) => Math.max(0, ...w.gpus.map((g) => g.memoryFreeBytes));
  const fits = workers.filter((w) => w.memoryBytes >= memory && (!wantsGpu || (w.gpus.length > 0 && freeGpu(w) >= gpuMemory)));
  if (fits.length === 0) {
    if (wantsGpu && workers.every((w) => w.gpus.length === 0)) return { ok: false, reason: 'unschedulable: needs gpu, none available' };
    const largest = Math.max(...workers.map((w) => w.memoryBytes));
    if (largest < memory) return { ok: false, reason: `unschedulable: needs ${gib(memory)} of memory (resources.memory), the largest worker offers ${gib(largest)}` };
    const gpuFree = Math.max(...workers.map(freeGpu));
    return { ok: false, reason: `unschedulable: needs ${gib(gpuMemory)} of free GPU memory (resources.gpuMemory), the most free on any GPU is ${gib(gpuFree)}` };
  }
  const best = [...fits].sort((a, b) => b.memoryBytes - a.memoryBytes || freeGpu(b) - freeGpu(a))[0] as WorkerResources;
  return { ok: true, worker: best.id, executionProviders: executionProvidersFor(needs, best) };
}
