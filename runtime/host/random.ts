// wasi:random, taken from preview2-shim as it is: it holds no resources, so it mixes safely
// with the studio's own wasi:io.
import { random, insecure, insecureSeed } from '@bytecodealliance/preview2-shim/random';

export function randomImports() {
  return {
    'wasi:random/random': random,
    'wasi:random/insecure': insecure,
    'wasi:random/insecure-seed': insecureSeed,
  };
}
