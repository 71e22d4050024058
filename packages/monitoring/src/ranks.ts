/**
 * Sorting helpers shared by the rank statistics (Spearman, ROC AUC): an index order
 * that leaves the input alone, and average ranks so tied values share their mean rank.
 */

/** Indices of `values` in ascending order of value (stable). */
export function ascendingOrder(values: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => values[a]! - values[b]! || a - b);
}

/** 1-based ranks; a run of tied values all get the mean of the ranks they span. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const order = ascendingOrder(values);
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    let end = start + 1;
    while (end < order.length && values[order[end]!] === values[order[start]!]) end++;
    const rank = (start + end + 1) / 2; // mean of the 1-based ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]!] = rank;
    start = end;
  }
  return ranks;
}
