import { resourcesSchema } from '@slipway/core';
import { describe, expect, it } from 'vitest';
import { type WorkerResources, detectGpus, executionProvidersFor, parseNvidiaSmi, placeDeployment } from './placement.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

// What `nvidia-smi --query-gpu=index,name,memory.total,memory.free --format=csv` prints.
const TWO_GPUS = `index, name, memory.total [MiB], memory.free [MiB]
0, NVIDIA H100 80GB HBM3, 81559 MiB, 81002 MiB
1, NVIDIA A10G, 23028 MiB, 1024 MiB
`;

describe('parseNvidiaSmi', () => {
  it('reads the csv with header and units', () => {
    expect(parseNvidiaSmi(TWO_GPUS)).toStrictEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalBytes: 81559 * MiB, memoryFreeBytes: 81002 * MiB },
      { index: 1, name: 'NVIDIA A10G', memoryTotalBytes: 23028 * MiB, memoryFreeBytes: 1024 * MiB },
    ]);
  });
  it.each<[string, string, number]>([
    ['noheader,nounits', '0, Tesla T4, 15360, 15000\n', 1],
    ['a name with a comma', '0, Weird, GPU, 100 MiB, 50 MiB\n', 1],
    ['unknown memory is skipped', '0, Tesla T4, [N/A], [N/A]\n', 0],
    ['a driver error instead of a table', 'NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.\n', 0],
    ['empty', '', 0],
  ])('%s', (_, text, count) => {
    expect(parseNvidiaSmi(text)).toHaveLength(count);
  });
  it('keeps a name with commas whole', () => {
    expect(parseNvidiaSmi('0, Weird, GPU, 100 MiB, 50 MiB')[0]?.name).toBe('Weird,GPU');
  });
});

describe('detectGpus', () => {
  it('finds none when nvidia-smi is absent', async () => {
    expect(await detectGpus('/nonexistent/nvidia-smi')).toStrictEqual([]);
  });
});

describe('placeDeployment', () => {
  const cpuOnly: WorkerResources[] = [
    { id: 'thread-0', cores: 2, memoryBytes: 4 * GiB, gpus: [] },
    { id: 'thread-1', cores: 2, memoryBytes: 8 * GiB, gpus: [] },
  ];
  const withGpus: WorkerResources[] = [...cpuOnly, { id: 'gpu-0', cores: 2, memoryBytes: 8 * GiB, gpus: parseNvidiaSmi(TWO_GPUS) }];
  const needs = (value: unknown) => resourcesSchema.parse(value);

  it.each<[string, unknown, WorkerResources[], string]>([
    ['cpu fits the worker with the most memory', {}, cpuOnly, 'ok thread-1 cpu'],
    ['gpu where there is none', { accelerator: 'gpu' }, cpuOnly, 'unschedulable: needs gpu, none available'],
    ['gpu where there is one: CUDA first', { accelerator: 'gpu', gpuMemory: '40GiB' }, withGpus, 'ok gpu-0 cuda,cpu'],
    ['gpu memory over what is free', { accelerator: 'gpu', gpuMemory: '100GiB' }, withGpus, 'unschedulable: needs 100.0 GiB of free GPU memory (resources.gpuMemory), the most free on any GPU is 79.1 GiB'],
    ['memory over every worker', { memory: '16GiB' }, cpuOnly, 'unschedulable: needs 16.0 GiB of memory (resources.memory), the largest worker offers 8.0 GiB'],
    ['memory within one worker', { memory: '6GiB' }, cpuOnly, 'ok thread-1 cpu'],
    ['no workers', {}, [], 'unschedulable: no workers'],
  ])('%s', (_, value, workers, expected) => {
    const placed = placeDeployment(needs(value), workers);
    expect(placed.ok ? `ok ${placed.worker} ${placed.executionProviders.join(',')}` : placed.reason).toBe(expected);
  });

  it('selects the CUDA provider only for a gpu deployment on a worker with a GPU', () => {
    expect(executionProvidersFor({ accelerator: 'gpu' }, withGpus[2] as WorkerResources)).toStrictEqual(['cuda', 'cpu']);
    expect(executionProvidersFor({ accelerator: 'gpu' }, cpuOnly[0] as WorkerResources)).toStrictEqual(['cpu']);
    expect(executionProvidersFor({ accelerator: 'cpu' }, withGpus[2] as WorkerResources)).toStrictEqual(['cpu']);
  });
});
