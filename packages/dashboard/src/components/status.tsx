/** Loading and error states, announced to screen readers. */
import { describeError } from '../api.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ErrorNote({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  return (
    <div className="error" role="alert">
      <strong>{title}:</strong> {describeError(error)}
    </div>
  );
}
