import { BadInputError } from '../runner/bad-input.js';

/** A bad value or combination on the command line: reported in one line, exit code 2. */
export class UsageError extends BadInputError {
  override name = 'UsageError';
}
