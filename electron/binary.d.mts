/** The installed Electron binary, or what is missing: the electron package, or only its binary. */
export function electronInstall(): { binary: string } | { missing: 'package' | 'binary' };
/** The installed Electron binary, or undefined when it is not installed. */
export function electronBinary(): string | undefined;
/** The line `npm start` prints when it runs browser mode instead of the Electron window. */
export function browserModeNote(missing: 'package' | 'binary' | undefined, noWindow: string | undefined): string;
