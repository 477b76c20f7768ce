// A side panel folded by a disclosure button (aria-expanded, aria-controls), the way split views
// in desktop apps behave (GNOME's overlay split view, VS Code's side bar in a narrow window):
// - wide windows: the panel sits beside the content; folding it is the user's choice, remembered
//   through `changed`;
// - narrow windows (`narrowQuery` matches): the panel starts folded and opens as a drawer over the
//   content. Opening moves the keyboard into it; Escape closes it and gives the keyboard back to
//   the button; a click or the keyboard going to the content it covers closes it. Opening or
//   closing the drawer is not remembered, so it never overrides the choice made for wide windows.
// The layout (CSS) draws both: `foldedClass` and `overlayClass` go on `container`.
export interface SidePanelOptions {
  toggle: HTMLButtonElement;
  panel: HTMLElement;
  /** Holds the panel and the content it covers when it is a drawer. */
  container: HTMLElement;
  /** The content the drawer covers: focus or a click there closes the drawer. */
  covered: HTMLElement;
  foldedClass: string;
  overlayClass: string;
  /** A media query for windows too narrow to keep the panel beside the content. */
  narrowQuery: string;
  /** The remembered choice for wide windows. */
  folded: boolean;
  changed(folded: boolean): void;
}

const FOCUSABLE = 'input, select, textarea, button, a[href], [tabindex]:not([tabindex="-1"])';

export function bindSidePanel(o: SidePanelOptions): void {
  const narrow = window.matchMedia(o.narrowQuery);
  let wideFolded = o.folded;
  const isOverlay = (): boolean => o.container.classList.contains(o.overlayClass);
  const isFolded = (): boolean => o.container.classList.contains(o.foldedClass);

  const show = (folded: boolean): void => {
    o.container.classList.toggle(o.foldedClass, folded);
    o.toggle.setAttribute('aria-expanded', String(!folded));
  };
  const closeDrawer = (returnFocus: boolean): void => {
    if (!isOverlay() || isFolded()) return;
    const hadFocus = o.panel.contains(document.activeElement);
    show(true);
    if (returnFocus || hadFocus) o.toggle.focus();
  };
  const applyMode = (): void => {
    const overlay = narrow.matches;
    if (overlay && o.panel.contains(document.activeElement)) o.toggle.focus();
    o.container.classList.toggle(o.overlayClass, overlay);
    show(overlay ? true : wideFolded);
  };

  applyMode();
  narrow.addEventListener('change', applyMode);
  o.toggle.addEventListener('click', () => {
    const folded = !isFolded();
    show(folded);
    if (!isOverlay()) {
      wideFolded = folded;
      o.changed(folded);
    } else if (!folded) {
      o.panel.querySelector<HTMLElement>(FOCUSABLE)?.focus();
    }
  });
  const onEscape = (e: KeyboardEvent): void => {
    // A menu or dialog inside that handled Escape itself keeps the drawer open.
    if (e.key === 'Escape' && !e.defaultPrevented && isOverlay() && !isFolded()) {
      e.preventDefault();
      closeDrawer(true);
    }
  };
  o.panel.addEventListener('keydown', onEscape);
  o.toggle.addEventListener('keydown', onEscape);
  o.covered.addEventListener('focusin', () => closeDrawer(false));
  document.addEventListener('pointerdown', (e) => {
    const target = e.target as Node;
    if (o.panel.contains(target) || o.toggle.contains(target) || (target instanceof Element && target.closest('dialog'))) return;
    closeDrawer(false);
  });
}
