import { createOnnxRuntime } from '@slipway/runtime';
import { createInlineHost } from './inline-host.js';
import { describeModelHostContract } from './model-host.contract.js';

describeModelHostContract('inline', () => createInlineHost(createOnnxRuntime()));
