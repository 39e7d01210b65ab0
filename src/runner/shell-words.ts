/**
 * Words for a POSIX shell, for the commands the tool prints for people to
 * paste (replay lines, `init`'s next step): each argument comes back as
 * exactly the word it was, whatever characters it holds.
 */

/** Characters that mean nothing to a shell, so a word made only of them needs no quotes. */
const PLAIN_WORD = /^[\w@%+=:,./-]+$/;
/** Control characters: inside plain single quotes they would break the printed line. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The word as the shell must see it: bare when that is safe, else in single
 * quotes (each ' written '\''), or, when it holds control characters such
 * as a newline, in $'…' quotes with those written as escapes, so that the
 * word stays on one line.
 */
export function shellWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  if (!CONTROL.test(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  const escaped = [...word]
    .map((char) => {
      if (char === '\\' || char === "'") return `\\${char}`;
      const code = char.charCodeAt(0);
      if (code === 0x0a) return '\\n';
      if (code === 0x09) return '\\t';
      if (code === 0x0d) return '\\r';
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
    })
    .join('');
  return `$'${escaped}'`;
}

/** Words joined into one command line, each quoted as shellWord quotes it. */
export function shellCommand(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
