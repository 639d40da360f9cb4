// Type declarations for Vessel's Node.js entry (js/node.js).
export * from './index.js';
export { FileStorage } from './storage/files.js';
