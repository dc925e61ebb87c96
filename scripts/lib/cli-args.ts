import { type ParseArgsConfig, parseArgs } from 'node:util';
import { fail } from './cli-env.ts';

/**
 * The operator commands' arguments: strict, so a mistyped option stops the command before it
 * writes anything, and `--help` / `-h` on every one. A command lists only its own options.
 */
export type Options = NonNullable<ParseArgsConfig['options']>;

type Values<T extends Options> = ReturnType<
  typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>
>['values'];

export type ArgumentsRead<T extends Options> =
  | { kind: 'run'; values: Values<T> }
  | { kind: 'help' }
  | { kind: 'refused'; message: string };

export function readArguments<T extends Options>(options: T, args: string[]): ArgumentsRead<T> {
  if (args.includes('--help') || args.includes('-h')) return { kind: 'help' };
  try {
    const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
    return { kind: 'run', values: values as Values<T> };
  } catch (error) {
    return { kind: 'refused', message: (error as Error).message };
  }
}

/** The parsed options; prints the usage and exits 0 for `--help`, 2 for a refused argument. */
export function commandLine<T extends Options>(
  usage: string,
  options: T,
  args: string[] = process.argv.slice(2),
): Values<T> {
  const read = readArguments(options, args);
  if (read.kind === 'help') {
    console.log(usage);
    process.exit(0);
  }
  if (read.kind === 'refused') fail(`${read.message}\n${usage}`);
  return read.values;
}
