// The quick-connect bar: paste a console URL and Connect, or open the built-in Demo.
import type { SessionSource } from '../../app/contract.js';

export function bindQuickConnect(form: HTMLFormElement, input: HTMLInputElement, demo: HTMLButtonElement, connect: (source: SessionSource) => void): void {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const url = input.value.trim();
    if (url) connect({ type: 'url', url });
    else input.focus();
  });
  demo.addEventListener('click', () => connect({ type: 'demo' }));
}
