// How the store interfaces (wasi:keyvalue, wasi:blobstore) run a store call for a component:
// an error is shown to `report` (which logs what the user should hear of), then thrown as the
// interface's own WIT error.
export function storeGuard<E>(report: (err: unknown) => void, toWit: (err: unknown) => E) {
  return <T>(call: () => T): T => {
    try {
      return call();
    } catch (err) {
      report(err);
      throw toWit(err);
    }
  };
}
