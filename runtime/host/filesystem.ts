// wasi:filesystem with no preopened directories: components that import it (every
// componentize-js component does) instantiate and see an empty file system. Volumes from
// `dev.volumes` will add preopens here.

class Descriptor {}
class DirectoryEntryStream {}

export function filesystemImports() {
  return {
    'wasi:filesystem/preopens': { getDirectories: () => [] },
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: () => undefined,
    },
  };
}
