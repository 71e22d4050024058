export * from './profile.js';
export * from './drift.js';
export * from './classification-metrics.js';
export * from './regression-metrics.js';
export * from './fairness.js';
export * from './cbpe.js';
export * from './correlation.js';
