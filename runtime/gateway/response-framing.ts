// What a component's response head promises about its body, checked before the head reaches
// the connection. On a kept-alive connection a body longer or shorter than its content-length
// runs into the next response: a client would read the component's extra bytes as the answer
// to its next request, or the next answer as the rest of this body. hyper, which serves
// components under wash, refuses such heads and never lets such bodies through either.
import type { declaredLength } from '../content-length.ts';

/** Why a head cannot be sent as it is (the client gets a 500 instead), or undefined; `declared` is its declaredLength. */
export function headProblem(status: number, headers: readonly (readonly [string, string])[], declared: ReturnType<typeof declaredLength>): string | undefined {
  if (status < 200) return `answered ${status}, an informational status, as its final response`;
  if (declared === 'invalid') {
    const values = headers.filter(([name]) => name.toLowerCase() === 'content-length').map(([, value]) => JSON.stringify(value));
    return `answered with a content-length that is not one number of bytes (${values.join(', ')})`;
  }
  return undefined;
}
