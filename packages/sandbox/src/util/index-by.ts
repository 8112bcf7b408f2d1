type Index = { length: number; last: unknown; groups: Map<unknown, unknown[]> };
const indexes = new WeakMap<readonly unknown[], Map<string, Index>>();

/**
 * `array` grouped by `keyOf`, kept up to date as the array grows: the fakes look up codes by
 * lock, units by name and so on per request, and scanning the world's arrays each time made
 * a 10,000-code benchmark spend most of the fake's CPU on `filter`. Cached per array and
 * `name`; items pushed since are indexed on the next call. Anything else done to the array in
 * place (tests splice codes out of the world, then push others) changes its length or the
 * item where the index ended, and the array is indexed again. The keys used here (ids,
 * names) never change on an item.
 */
export function groupedBy<T, K>(array: readonly T[], name: string, keyOf: (item: T) => K): Map<K, T[]> {
  let byName = indexes.get(array);
  if (!byName) {
    byName = new Map();
    indexes.set(array, byName);
  }
  let index = byName.get(name);
  if (!index || index.length > array.length || (index.length > 0 && array[index.length - 1] !== index.last)) {
    index = { length: 0, last: undefined, groups: new Map() };
    byName.set(name, index);
  }
  for (let i = index.length; i < array.length; i++) {
    const item = array[i] as T;
    const key = keyOf(item);
    const group = index.groups.get(key);
    if (group) group.push(item);
    else index.groups.set(key, [item]);
  }
  index.length = array.length;
  index.last = array[array.length - 1];
  return index.groups as Map<K, T[]>;
}
