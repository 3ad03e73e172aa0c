// The Studio API's types, taken from the one shared contract. Types only: the renderer never
// imports runtime code.
export type * from '../../../runtime/studio/api.ts';
