import { Command, CommanderError } from 'commander';
import { EXIT, TrailguardError } from '../errors.ts';
import { redactSecrets } from '../output/redact.ts';
import { terminalSafe } from '../output/terminal-safe.ts';
import { StateOpenError } from '../state/state-open-error.ts';
import { registerAlerts } from './commands/alerts.ts';
import { registerConfig } from './commands/config.ts';
import { registerDetect } from './commands/detect.ts';
import { registerDetectors } from './commands/detectors.ts';
import { registerDigest } from './commands/digest.ts';
import { registerQuery } from './commands/query.ts';
import { registerState } from './commands/state.ts';

export function buildProgram(): Command {
  const program = new Command('trailguard')
    .description('CloudTrail detection for CI/CD pipeline credential abuse')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDetect(program);
  registerDetectors(program);
  registerConfig(program);
  registerQuery(program);
  registerState(program);
  registerAlerts(program);
  registerDigest(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code (0 done, 2 usage/config error, 3 --fail-on met, 1 crash). */
export async function main(argv: readonly string[]): Promise<number> {
  process.exitCode = EXIT.ok;
  try {
    await buildProgram().parseAsync([...argv]);
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not errors; commander already printed the usage problem.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof TrailguardError) {
      process.stderr.write(`trailguard: ${error.explain()}\n`);
      return error.exitCode;
    }
    // A --state option or table that cannot be used: the message names it.
    if (error instanceof StateOpenError) {
      process.stderr.write(`trailguard: ${error.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`trailguard: unexpected error: ${describeUnexpected(error)}\n`);
    return EXIT.crash;
  }
}

/**
 * A crash's message and stack for stderr. Messages can quote event data (escape sequences) or a request
 * echoing a token, so each line is redacted and made terminal-safe; the lines stay lines.
 */
export function describeUnexpected(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return redactSecrets(text)
    .split('\n')
    .map((line) => terminalSafe(line))
    .join('\n');
}
