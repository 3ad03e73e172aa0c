/**
 * Moves the focus to what `selector` finds once React has drawn the change under way. The
 * element to land on (a list, the button that opened a field, a result) may not be drawn yet,
 * and the focused one may be about to go with a panel, which would drop the focus to the page
 * and send Tab back to the sidebar. `reveal` also scrolls it into view.
 */
export function focusAfterRender(selector: string, options: { reveal?: boolean } = {}): void {
  requestAnimationFrame(() => {
    const target = document.querySelector<HTMLElement>(selector);
    if (options.reveal) target?.scrollIntoView({ block: 'nearest' });
    target?.focus({ preventScroll: true });
  });
}
