/**
 * Empties a form after it was sent, back to the defaults it was drawn with. `form.reset()` alone
 * puts a select back on the option whose `selected` *attribute* is set, else the first one; the
 * views set `selected` as a property, so a reset once left "Admin" (the first role) chosen and
 * the next user was created an admin. Options marked `data-default` are chosen again here.
 */
export function resetForm(form: HTMLFormElement): void {
  form.reset();
  for (const option of form.querySelectorAll<HTMLOptionElement>('option[data-default]')) option.selected = true;
}
