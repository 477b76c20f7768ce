// A small element builder: attributes, then children. No innerHTML anywhere (text is always text).
type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | number | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (name === 'className') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) node.append(child);
  return node;
}

export function button(label: string, attrs: Record<string, string | boolean | number | undefined> = {}, onClick?: (event: MouseEvent) => void): HTMLButtonElement {
  const b = el('button', { type: 'button', ...attrs }, label);
  if (onClick) b.addEventListener('click', onClick);
  return b;
}

let nextId = 0;
/** A document-unique id for aria-labelledby / aria-controls / label[for]. */
export function uid(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A labelled form control: <label for> + the control, in a wrapper. */
export function field(label: string, control: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, hint?: string): HTMLElement {
  control.id ||= uid('field');
  const wrapper = el('div', { className: control instanceof HTMLInputElement && control.type === 'checkbox' ? 'field check' : 'field' });
  const labelEl = el('label', { for: control.id }, label);
  if (control instanceof HTMLInputElement && control.type === 'checkbox') wrapper.append(control, labelEl);
  else wrapper.append(labelEl, control);
  if (hint) {
    const hintEl = el('p', { className: 'hint', id: uid('hint') }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
    wrapper.append(hintEl);
  }
  return wrapper;
}

export function isEditable(node: Element | null): boolean {
  if (!node) return false;
  if (node instanceof HTMLTextAreaElement || node instanceof HTMLSelectElement) return true;
  if (node instanceof HTMLInputElement) return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(node.type);
  return node instanceof HTMLElement && node.isContentEditable;
}
