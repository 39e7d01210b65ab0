/**
 * execa, loaded when --exec or --go first needs it rather than when the
 * command line starts: it is some 150 modules, which every lab run's start
 * (by far the most common) would otherwise load and never use.
 */
export function loadExeca(): Promise<typeof import('execa')> {
  return import('execa');
}
