/**
 * The entry of a thread host's worker: an inline host with its own onnxruntime on this
 * thread, driven by the messages of `host-messages.ts`. Runs block this thread, not the
 * thread serving HTTP.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createOnnxRuntime } from '@slipway/runtime';
import { type HostReply, type HostRequest, type HostWorkerData, toWireError, transferable } from './host-messages.js';
import { createInlineHost } from './inline-host.js';

if (parentPort === null) throw new Error('host-worker runs as a worker thread started by createThreadHost');
const port: MessagePort = parentPort;

const config = workerData as HostWorkerData;
const host = createInlineHost(createOnnxRuntime(config.runtimeOptions), config.id);

function reply(message: HostReply, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function handle(request: HostRequest): Promise<void> {
  try {
    switch (request.op) {
      case 'ready':
        return reply({ id: request.id, ok: true, value: undefined });
      case 'load':
        return reply({ id: request.id, ok: true, value: await host.load(request.key, request.model) });
      case 'infer': {
        const outputs = await host.infer(request.key, { inputs: new Map(request.inputs), outputs: request.outputs });
        const { tensors, transfer } = transferable(outputs);
        return reply({ id: request.id, ok: true, value: tensors }, transfer);
      }
      case 'unload':
        await host.unload(request.key);
        return reply({ id: request.id, ok: true, value: undefined });
      case 'close':
        await host.close();
        return reply({ id: request.id, ok: true, value: undefined });
      case 'exit':
        // Here, in a message handler, no onnxruntime call is executing on this thread: ending
        // the thread mid-run would abort the whole process instead.
        return process.exit(0);
    }
  } catch (error) {
    reply({ id: request.id, ok: false, error: toWireError(error) });
  }
}

port.on('message', (request: HostRequest) => void handle(request));
