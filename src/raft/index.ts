export { reference } from './peer.js';
export type * from './types.js';
