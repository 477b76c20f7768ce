// A menu button (ARIA menu button pattern), shared by every menu in the UI: the button opens a
// role=menu list labelled by the button; arrow keys, Home, End and first letters move between
// items; Enter/Space choose; Escape closes and returns focus to the button; Tab or a click
// elsewhere closes it. Glyphs (the caret, the radio dot) are aria-hidden so names stay plain words.
import { el, uid } from './dom.js';

export interface MenuItem {
  label: string;
  /** For radio items (role=menuitemradio): whether it is the chosen one. */
  checked?: boolean;
  /** For an on/off item among plain ones (role=menuitemcheckbox), such as View only. */
  pressed?: boolean;
  disabled?: boolean;
  run(): void;
}

export class MenuButton {
  readonly button: HTMLButtonElement;
  readonly wrapper: HTMLElement;
  private readonly list: HTMLElement;
  private items: HTMLButtonElement[] = [];

  constructor(
    label: string,
    private readonly buildItems: () => MenuItem[],
    attrs: Record<string, string> = {},
  ) {
    const listId = uid('menu');
    const buttonId = uid('menu-button');
    this.button = el('button', { type: 'button', id: buttonId, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': listId, ...attrs }, el('span', { className: 'menu-label' }, label), el('span', { className: 'caret', 'aria-hidden': 'true' }, ' ▾'));
    this.list = el('div', { role: 'menu', id: listId, 'aria-labelledby': buttonId, className: 'menu', hidden: true });
    this.wrapper = el('div', { className: 'menu-wrapper' }, this.button, this.list);
    this.button.addEventListener('click', () => (this.isOpen ? this.close(true) : this.open()));
    this.button.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.open(e.key === 'ArrowUp' ? 'last' : 'first');
      }
    });
    this.list.addEventListener('keydown', (e) => this.onKey(e));
    this.wrapper.addEventListener('focusout', (e) => {
      if (this.isOpen && !this.wrapper.contains(e.relatedTarget as Node | null)) this.close(false);
    });
  }

  /** Closes on a click elsewhere; listened for only while open, so menus in redrawn lists leave nothing behind. */
  private readonly onPointerDown = (e: PointerEvent): void => {
    if (this.isOpen && !this.wrapper.contains(e.target as Node)) this.close(false);
  };

  get isOpen(): boolean {
    return !this.list.hidden;
  }

  open(focus: 'first' | 'last' | 'checked' = 'checked'): void {
    const items = this.buildItems();
    const radio = items.some((i) => i.checked !== undefined);
    this.items = items.map((item) => {
      const toggle = !radio && item.pressed !== undefined;
      const on = radio ? Boolean(item.checked) : Boolean(item.pressed);
      const mark = radio ? (on ? '●' : '○') : toggle ? (on ? '✓' : ' ') : undefined;
      const b = el('button', {
        type: 'button',
        role: radio ? 'menuitemradio' : toggle ? 'menuitemcheckbox' : 'menuitem',
        tabindex: '-1',
        'aria-checked': radio || toggle ? String(on) : undefined,
        'aria-disabled': item.disabled ? 'true' : undefined,
      }, mark === undefined ? null : el('span', { className: 'radio-mark', 'aria-hidden': 'true' }, mark), el('span', { className: 'menu-item-label' }, item.label));
      b.addEventListener('click', () => {
        if (item.disabled) return;
        this.close(true);
        item.run();
      });
      return b;
    });
    this.list.replaceChildren(...this.items);
    this.list.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    document.addEventListener('pointerdown', this.onPointerDown);
    const checked = radio ? this.items.findIndex((b) => b.getAttribute('aria-checked') === 'true') : -1;
    const index = focus === 'last' ? this.items.length - 1 : focus === 'checked' && checked >= 0 ? checked : 0;
    this.items[index]?.focus();
  }

  close(returnFocus: boolean): void {
    if (!this.isOpen) return;
    document.removeEventListener('pointerdown', this.onPointerDown);
    this.list.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.button.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const i = this.items.indexOf(document.activeElement as HTMLButtonElement);
    const move = (to: number): void => {
      e.preventDefault();
      const n = this.items.length;
      this.items[((to % n) + n) % n]?.focus();
    };
    switch (e.key) {
      case 'ArrowDown':
        return move(i + 1);
      case 'ArrowUp':
        return move(i - 1);
      case 'Home':
        return move(0);
      case 'End':
        return move(this.items.length - 1);
      case 'Escape':
        e.preventDefault();
        e.stopPropagation();
        this.close(true);
        return;
      case 'Tab':
        this.close(false);
        return;
      default:
        if (e.key.length === 1 && /\S/.test(e.key)) {
          const key = e.key.toLowerCase();
          const from = i + 1;
          const order = [...this.items.slice(from), ...this.items.slice(0, from)];
          const hit = order.find((b) => (b.querySelector('.menu-item-label')?.textContent ?? '').toLowerCase().startsWith(key));
          if (hit) {
            e.preventDefault();
            hit.focus();
          }
        }
    }
  }
}
