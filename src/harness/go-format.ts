/** Formats a list the way Go's %v prints a slice, so failure messages read as the lab's do. */
export function goList(values: readonly unknown[]): string {
  return `[${values.map(String).join(' ')}]`;
}
