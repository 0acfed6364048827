export * from './time.js';
export * from './scheduler.js';
export * from './random.js';
export * from './trace.js';
export * from './simulation.js';
export * from './frame-resolver.js';
