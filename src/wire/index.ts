export * from './frame.js';
export * from './uri.js';
