// `component-studio new <folder> [--example NAME]`: a project of your own, made from one of
// the bundled examples, ready for `component-studio dev <folder>`.
import { isAbsolute, relative } from 'node:path';
import { parseArgs } from 'node:util';
import pc from 'picocolors';
import { argumentError } from '../cli-argument-error.ts';
import { describe } from '../errors.ts';
import { DEFAULT_EXAMPLE, listExamples, newProject } from '../project/new-project.ts';

type Out = (text: string) => void;

async function usage(): Promise<string> {
  const examples = await listExamples();
  const width = Math.max(...examples.map((example) => example.name.length));
  return `Usage: component-studio new <folder> [--example NAME]

Makes a component project in <folder> (made for you; an existing one must be empty) from
one of the examples that come with the studio, then says how to run it.

Options:
  --example NAME      the example to start from (default: ${DEFAULT_EXAMPLE})
  -h, --help          show this help

Examples:
${examples.map((example) => `  ${example.name.padEnd(width)}  ${example.summary}`).join('\n')}
`;
}

/** Makes the project; returns the exit code (0 made, 1 could not, 2 a usage mistake). */
export async function runNewCli(argv: string[], out: Out, err: Out): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { example: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    err(`${pc.red('error')} ${argumentError(error)}\n\n${await usage()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(await usage());
    return 0;
  }
  if (positionals.length !== 1) {
    err(`${pc.red('error')} new takes one folder, got ${positionals.length === 0 ? 'none' : `${positionals.length}: ${positionals.join(' ')}`}.\n\n${await usage()}`);
    return 2;
  }
  const example = values.example ?? DEFAULT_EXAMPLE;
  const made = await newProject(positionals[0]!, example);
  if (!made.ok) {
    err(`${pc.red('error')} ${describe(made.error)}\n`);
    return made.error.code === 'unknown-example' ? 2 : 1;
  }
  // Relative to here when it is inside here; a path that climbs out reads better whole.
  const inside = relative(process.cwd(), made.value) || '.';
  const shown = inside.startsWith('..') || isAbsolute(inside) ? made.value : inside;
  const quoted = /^[\w./-]+$/.test(shown) ? shown : JSON.stringify(shown);
  out(`${pc.green('✓')} made ${made.value} from the example "${example}" (its README.md says what it does)\n`);
  out(`  next: ${invocation()} dev ${quoted}\n`);
  return 0;
}

/**
 * How to run this CLI again: as it was run through npx (in a clone, where it is not on the
 * PATH, as the README says), `component-studio` where it is installed as a package, else
 * `node` and its script, which works from any folder.
 */
function invocation(): string {
  if (process.env.npm_command === 'exec') return 'npx component-studio';
  const script = process.argv[1] ?? '';
  if (/[\\/]node_modules[\\/]/.test(script) || !script) return 'component-studio';
  return `node ${/^[\w./-]+$/.test(script) ? script : JSON.stringify(script)}`;
}
