// `node --import ./register.mjs electron/dist/main.mjs …` runs the Electron shell's main
// process under plain Node, with electron.mjs standing in for the electron package.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
