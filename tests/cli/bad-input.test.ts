/**
 * Bad input has one base class, BadInputError, and one place that reports
 * it (cli/main.ts): one line on stderr, exit 2. Anything else is a bug and
 * is not dressed up as bad input.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage-error.js';
import { BadInputError } from '../../src/runner/bad-input.js';
import { GoTestsError } from '../../src/runner/exec-go.js';
import { MergeError } from '../../src/runner/merge.js';
import { OutputDirError } from '../../src/runner/output-dir.js';
import { RaftModuleError } from '../../src/runner/raft-module.js';
import { ReportPathError } from '../../src/runner/report-files.js';
import { ReportFormatError } from '../../src/runner/report-json.js';
import { InvalidTestPatternError, UnknownTestArgumentError } from '../../src/runner/select.js';
import { runCli } from './report-cli-helpers.js';

describe('BadInputError', () => {
  it('is the base of every error the tool raises for input the user can fix', () => {
    const errors = [
      new UsageError('x'),
      new UnknownTestArgumentError('x', undefined),
      new InvalidTestPatternError('(', 'bad'),
      new GoTestsError('x'),
      new RaftModuleError('x'),
      new OutputDirError('x'),
      new ReportPathError('x'),
      new MergeError('x'),
      new ReportFormatError('x'),
    ];
    for (const error of errors) expect(error, error.name).toBeInstanceOf(BadInputError);
  });

  it('is reported by the command line in one line with exit 2, wherever it is thrown', async () => {
    const { code, stdout, stderr } = await runCli(['TestReElection2A', '-n', '1', '-o', 'never'], undefined, {
      createPool: () => {
        throw new BadInputError('the pool found something wrong with its input');
      },
    });
    expect(code).toBe(2);
    expect(stderr).toBe('raft-dstest: the pool found something wrong with its input\n');
    expect(stdout).toContain('seed base: 5000');
  });

  it('leaves any other error to the entry point, as a bug of the tool', async () => {
    const failing = runCli(['TestReElection2A', '-n', '1', '-o', 'never'], undefined, {
      createPool: () => {
        throw new TypeError('a bug');
      },
    });
    await expect(failing).rejects.toThrow(TypeError);
  });
});
