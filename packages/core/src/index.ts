export * from './errors.js';
export * from './datatypes.js';
export * from './tensor-codec.js';
export * from './manifest.js';
export * from './refs.js';
export * from './tabular.js';
export * from './records.js';
export * from './ports.js';
