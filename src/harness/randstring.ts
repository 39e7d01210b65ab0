import type { Random } from '../sim/random.js';

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A random string of n URL-safe base64 characters (config.go's randstring), drawn from the world's stream. */
export function randstring(random: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += URL_ALPHABET[random.int(64)];
  return s;
}
