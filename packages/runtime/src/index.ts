export * from './onnx-runtime.js';
