export * from './frame.js';
export * from './uri.js';
export * from './digest.js';
export * from './ids.js';
export * from './headers.js';
export * from './parser.js';
export * from './serializer.js';
export * from './builder.js';
