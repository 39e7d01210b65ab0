/**
 * Whether to colour output. Node's own rule: FORCE_COLOR (other than 0 or
 * false) turns colour on, else NO_COLOR turns it off, else colour only on a
 * terminal, so that CI logs and pipes get plain text.
 */
export function shouldColor(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return isTTY;
}

export function red(text: string): string {
  return `\u001b[31m${text}\u001b[39m`;
}
