// The quick-connect bar: paste a console URL and Connect, or open the built-in Demo. On narrow
// windows the less used buttons (Test connection, Save as profile) fold into a "More" menu.
import type { SessionSource } from '../../app/contract.js';
import { MenuButton } from '../ui/menu.js';

export function bindQuickConnect(form: HTMLFormElement, input: HTMLInputElement, demo: HTMLButtonElement, connect: (source: SessionSource) => void): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const url = input.value.trim();
    if (url) connect({ type: 'url', url });
    else input.focus();
  });
  demo.addEventListener('click', () => connect({ type: 'demo' }));
  const folded = [...form.querySelectorAll<HTMLButtonElement>('button.foldable')];
  if (folded.length === 0) return;
  const more = new MenuButton('More', () => folded.map((b) => ({ label: b.textContent ?? '', run: () => b.click() })), { 'aria-label': 'More quick-connect actions' });
  more.wrapper.classList.add('quick-more');
  folded[folded.length - 1]?.after(more.wrapper);
}
