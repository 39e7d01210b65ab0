/**
 * Input the user can fix: a bad value, a path that cannot be used, a module
 * or report of the wrong kind, a test that does not exist. Every error of
 * that kind extends this class, so that the command line recognises bad
 * input in one place (cli/main.ts), reports it in one line and exits 2.
 * Any other error is a bug of the tool, and is reported as such.
 */
export class BadInputError extends Error {
  override name = 'BadInputError';
}
