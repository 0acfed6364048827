export * from './frame.js';
export * from './uri.js';
export * from './digest.js';
export * from './ids.js';
