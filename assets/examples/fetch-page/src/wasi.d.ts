// Types for the WIT imports this component uses, as componentize-js exposes them to JS.

declare module 'wasi:cli/environment@0.2.10' {
  /** The component's environment variables: `env` in .wash/studio.yaml. */
  export function getEnvironment(): [string, string][];
}
