/** msrp-sim's public library API. */
export * from './wire/index.js';
export * from './scenario/index.js';
