/**
 * Held-out metrics recorded in an example's lineage. Probabilities are row-major
 * [n, classes] matrices, exactly as the exported models output them.
 */

/** Index of each row's most probable class (the first on ties, like ONNX ArgMax). */
export function argmaxRows(probabilities: ArrayLike<number>, classes: number): Int32Array {
  const n = probabilities.length / classes;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if ((probabilities[r * classes + c] ?? 0) > (probabilities[r * classes + best] ?? 0)) best = c;
    out[r] = best;
  }
  return out;
}

/** Fraction of rows whose most probable class is the label. */
export function accuracy(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  const predicted = argmaxRows(probabilities, classes);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return correct / labels.length;
}

/** Mean negative log-likelihood of the labels, probabilities clipped to [1e-15, 1]. */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    total -= Math.log(Math.max(1e-15, probabilities[i * classes + (labels[i] ?? 0)] ?? 0));
  }
  return total / labels.length;
}

/**
 * Area under the ROC curve for binary labels (1 = positive): the probability that a random
 * positive scores above a random negative, ties counting half (Mann–Whitney U).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length; ) {
    // Rows with equal scores share the mean of their 1-based ranks.
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] ?? 0] === scores[order[start] ?? 0]) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] ?? 0] === 1) {
        positives++;
        positiveRankSum += rank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) throw new RangeError('rocAuc needs both positive and negative labels');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
