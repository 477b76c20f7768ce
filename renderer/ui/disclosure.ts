// A disclosure button (ARIA pattern): a button that shows or hides a region, says which with
// aria-expanded, and names the region it controls. Here it folds a region away by putting a class
// on a container, so the layout (CSS) decides what "folded" looks like.
export function bindDisclosure(toggle: HTMLButtonElement, container: HTMLElement, foldedClass: string, folded: boolean, changed: (folded: boolean) => void): void {
  const apply = (isFolded: boolean): void => {
    container.classList.toggle(foldedClass, isFolded);
    toggle.setAttribute('aria-expanded', String(!isFolded));
  };
  apply(folded);
  toggle.addEventListener('click', () => {
    const nowFolded = !container.classList.contains(foldedClass);
    apply(nowFolded);
    changed(nowFolded);
  });
}
