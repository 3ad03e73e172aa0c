// A box that scrolls must be reachable by keyboard (WCAG 2.1.1), or its end can only be read
// with a mouse: while its content overflows it is a Tab stop, where the arrow keys and
// PageDown scroll it; while everything fits it is none.
import { type RefObject, useLayoutEffect } from 'react';

export function useFocusableWhileScrolling(ref: RefObject<HTMLElement | null>): void {
  // After every render (content may have grown) and on every resize (a window made smaller).
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const update = () => {
      const overflows = element.scrollHeight > element.clientHeight + 1 || element.scrollWidth > element.clientWidth + 1;
      // Not -1 when it fits: that would still take the focus on a click, unlike the box it was.
      // Kept while it has the focus (a window made larger), which would otherwise fall to the page.
      if (overflows) element.tabIndex = 0;
      else if (document.activeElement !== element) element.removeAttribute('tabindex');
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(element);
    element.addEventListener('blur', update);
    return () => {
      observer.disconnect();
      element.removeEventListener('blur', update);
    };
  });
}
