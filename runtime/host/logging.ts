// wasi:logging/logging@0.1.0-draft: a component's log calls become records on the log bus,
// with the component as the source and the context in front of the message.
import type { HostState } from './host-state.ts';
import { isLogLevel } from '../logs/log-bus.ts';

export function loggingImports(state: HostState) {
  return {
    'wasi:logging/logging': {
      log(level: string, context: string, message: string) {
        const text = context ? `${context}: ${message}` : message;
        state.log(isLogLevel(level) ? level : 'info', text);
      },
    },
  };
}
