// Node's parseArgs errors, worded as the rest of the command line's messages: its own quote
// options unevenly ("'-- \"--bogus\""), spread over three lines, and suggest `--` where a
// misspelt option is by far the likelier mistake.
import { messageOf } from './errors.ts';

export function argumentError(error: unknown): string {
  const message = messageOf(error);
  const option = /^(?:Unknown option|Option) '([^' ]+)/.exec(message)?.[1];
  if (!option) return message;
  if (message.startsWith('Unknown option')) return `Unknown option ${option}: see the options below.`;
  if (message.includes('argument missing')) return `${option} needs a value.`;
  if (message.includes('argument is ambiguous')) return `${option} needs a value; one that starts with "-" goes after "=", as in ${option}=-1.`;
  if (message.includes('does not take an argument')) return `${option} takes no value.`;
  return message;
}
