import type { Random } from '../sim/random.js';

const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** The alphabet as the bytes of its (ASCII) characters. */
const URL_ALPHABET_BYTES = Buffer.from(URL_ALPHABET, 'latin1');

/**
 * A random string of n URL-safe base64 characters (config.go's randstring),
 * drawn from the world's stream. Built as bytes and decoded once: adding a
 * character at a time makes a string object per character for the collector.
 */
export function randstring(random: Random, n: number): string {
  const bytes = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) bytes[i] = URL_ALPHABET_BYTES[random.int(64)]!;
  return bytes.toString('latin1');
}
