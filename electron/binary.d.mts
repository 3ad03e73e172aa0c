/** The installed Electron binary, or undefined when it is not installed. */
export function electronBinary(): string | undefined;
