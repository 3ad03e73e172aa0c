// Starts a project of the user's own from one of the bundled examples (the UI's
// `component-studio new`): a folder that does not exist yet, or an empty one, and an example.
// The studio makes it, opens it and builds it.
import { useEffect, useState } from 'react';
import { describeError } from '../../api/api-error.ts';
import { studio } from '../../api/client.ts';
import type { ExampleView, ProjectView } from '../../api/types.ts';

export function NewProjectForm({ onOpened }: { onOpened: (project: ProjectView) => void }) {
  const [examples, setExamples] = useState<ExampleView[]>([]);
  const [example, setExample] = useState('');
  const [path, setPath] = useState('');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<{ message: string; hint?: string }>();

  useEffect(() => {
    let live = true;
    studio
      .call('project.examples', {})
      .then((list) => {
        if (!live) return;
        setExamples(list);
        setExample((chosen) => chosen || list[0]?.name || '');
      })
      .catch((err: unknown) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, []);

  const create = async () => {
    if (!path.trim()) return setError({ message: 'Type the path of the new project folder.', hint: 'A folder that does not exist yet (it is made for you), or an empty one.' });
    setCreating(true);
    setError(undefined);
    try {
      onOpened(await studio.call('project.create', { path: path.trim(), ...(example ? { example } : {}) }));
      setPath('');
    } catch (err) {
      setError(describeError(err));
    } finally {
      setCreating(false);
    }
  };

  const summary = examples.find((e) => e.name === example)?.summary;
  return (
    <div className="new-project">
      <div className="open-project">
        <label className="field grow">
          <span>Start a new project from an example (a new or empty folder)</span>
          <input className="input mono" placeholder="/path/to/my-component" value={path} onChange={(e) => setPath(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && void create()} aria-label="New project path" />
        </label>
        <label className="field">
          <span>Example</span>
          <select className="input" value={example} onChange={(e) => setExample(e.target.value)} aria-label="Example">
            {examples.map((e) => (
              <option key={e.name} value={e.name}>
                {e.name}
              </option>
            ))}
          </select>
        </label>
        <button className="btn" disabled={creating || examples.length === 0} onClick={() => void create()}>
          {creating ? 'Creating…' : 'Create'}
        </button>
      </div>
      {summary && <p className="muted small">{summary}.</p>}
      {error && (
        <div className="error-note" role="alert">
          <div className="error-title">{error.message}</div>
          {error.hint && <div className="error-hint">{error.hint}</div>}
        </div>
      )}
    </div>
  );
}
