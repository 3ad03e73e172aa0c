// The Monaco theme for the page's colour scheme. The dark one is Monaco's own with comments
// made lighter: vs-dark's comment green (#608b4e on #1e1e1e) is under the 4.5:1 contrast
// WCAG asks of text. Defined where Monaco loads (monaco-setup.ts); named here, so that a
// component picks it without loading Monaco.
export const DARK_EDITOR_THEME = 'studio-dark';

export function editorTheme(dark: boolean): string {
  return dark ? DARK_EDITOR_THEME : 'vs';
}
