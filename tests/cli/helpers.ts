import { PassThrough } from 'node:stream';

/** A stream that is not a terminal and remembers what was written to it. */
export function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { stream, text: () => chunks.join('') };
}

const ESC = '\u001b';

/** Whether text holds an escape code (colour, cursor movement). */
export function hasEscapeCodes(text: string): boolean {
  return text.includes(ESC);
}

/** Whether text holds a spinner frame: ora's dots are braille characters. */
export function hasSpinnerFrames(text: string): boolean {
  return /[\u2800-\u28ff]/.test(text);
}
